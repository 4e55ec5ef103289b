"""The MARA quarterly report (docs/DESIGN.md 2.7), as PDF (reportlab) and XLSX (XlsxWriter), in en,
fr or en+fr, for a period and an area, with the previous period beside each table.

Figures come from fieldapp.store.mara_report; this module only lays them out. Both formats are
built from the same list of tables, so the spreadsheet and the PDF never disagree.
"""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

from fieldapp.documents.charts import horizontal_bars, vertical_bars
from fieldapp.documents.common import DocumentError, Languages, months_between
from fieldapp.documents.fonts import CONDENSED
from fieldapp.documents.report import ReportLayout
from fieldapp.documents.styles import make_styles
from fieldapp.domain import mara
from fieldapp.i18n import N_, _
from fieldapp.store.mara_report import MaraFigures, Row, ancestors_at, commitment_statuses, mara_figures
from fieldapp.store.reports import Period

TITLE = N_("MARA report: conflict-related sexual violence")
PERIOD_LINE = N_("Period: {start} to {end} (previous period: {previous_start} to {previous_end})")
AREA = N_("Area: {area}")
ALL_AREAS = N_("All areas")
GENERATED = N_("Prepared by {office} on {date}")
LEFT_OUT = N_("Only incidents marked for MARA reporting are counted: {counted} of the {total} incidents of the "
              "period. {left_out} kept out of MARA reporting are left out of every figure below.")
SEVERAL = N_("An incident may have several violation types and several parties: those tables add up to more than "
             "the total.")
SUMMARY = N_("Summary")
BY_VIOLATION = N_("Incidents and victims by violation type")
BY_PARTY = N_("Incidents and victims by party credibly suspected")
BY_ADMIN1 = N_("Incidents and victims by province")
BY_ADMIN2 = N_("Incidents and victims by territory")
BY_MONTH = N_("Incidents and victims by month")
BY_VERIFICATION = N_("Verification status")
BY_KNOWLEDGE = N_("Time from occurrence to the office's knowledge")
VERIFIED_PARTIES = N_("Parties with verified incidents in the period")
COMMITMENTS = N_("Commitments and the status of their items")
INCIDENTS = N_("Incidents")
VICTIMS = N_("Victims")
PREVIOUS = N_("Previous period")
PREVIOUS_MONTH = N_("Same month, previous period")
TOTAL = N_("Total")
PARTY = N_("Party")
TYPE = N_("Type")
LISTED_SINCE = N_("Listed since")
KIND = N_("Kind")
TITLE_COLUMN = N_("Title")
SIGNED = N_("Signed on")
ITEMS = N_("Items")
OVERDUE = N_("Overdue")
DATE_UNKNOWN = N_("Date unknown")
NO_AREA = N_("Place not given")
UNKNOWN_PARTY = N_("Party not in this vault")
NOTHING = N_("Nothing recorded in this period.")
MONTHS_CHART = N_("Incidents by month")
VIOLATIONS_CHART = N_("Incidents by violation type")
PARTIES_CHART = N_("Incidents by party")
VICTIM_HEADERS = (N_("Girls"), N_("Boys"), N_("Women"), N_("Men"), N_("Sex or age unknown"))


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period just before: the same months when the period is whole months (a quarter), else the same
    number of days."""
    if date_from.day == 1 and date_to.day == calendar.monthrange(date_to.year, date_to.month)[1]:
        months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
        index = date_from.year * 12 + date_from.month - 1 - months
        start = date(index // 12, index % 12 + 1, 1)
        end = date_from - timedelta(days=1)
        return start, end
    length = (date_to - date_from).days + 1
    return date_from - timedelta(days=length), date_from - timedelta(days=1)


@dataclass
class Sheet:
    """One table of the report: what the PDF draws and the XLSX writes. Cells are str, int or date."""

    name: str  # XLSX sheet name (≤ 31 characters, stable, English)
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    chart: tuple[str, list[tuple[str, int]], str] | None = None  # (title, items, "h" or "v")
    note: str = ""


def _victim_row(label, current: Row, previous: Row) -> list:
    return [label, current.incidents, previous.incidents, current.girls, current.boys, current.women, current.men,
            current.unknown, current.victims, previous.victims]


def _victim_header(t: Languages, first: str, previous_label: str = PREVIOUS) -> list[str]:
    return ([t.text(first), t.text(INCIDENTS), t.text(previous_label)] + [t.text(h) for h in VICTIM_HEADERS]
            + [t.text(VICTIMS), t.text(previous_label)])


def _keyed(t, name, title, first, current: dict[str, Row], previous: dict[str, Row], order: list[str],
           label: Callable[[str], str], chart: str | None = None, with_total: Row | None = None,
           with_previous_total: Row | None = None) -> Sheet:
    keys = [key for key in order if key in current or key in previous]
    keys += sorted(key for key in set(current) | set(previous) if key not in keys)
    sheet = Sheet(name, t.text(title), _victim_header(t, first))
    for key in keys:
        sheet.rows.append(_victim_row(label(key), current.get(key, Row()), previous.get(key, Row())))
    if with_total is not None:
        sheet.total = _victim_row(t.text(TOTAL), with_total, with_previous_total or Row())
    if chart and any(row[1] for row in sheet.rows):
        items = sorted(((row[0], row[1]) for row in sheet.rows if row[1]), key=lambda item: -item[1])
        sheet.chart = (t.text(chart), items, "h")
    return sheet


def _fold(rows: dict[str, Row], mapping: dict[str, str]) -> dict[str, Row]:
    folded: dict[str, Row] = {}
    for key, row in rows.items():
        folded.setdefault(mapping.get(key, ""), Row()).add(row)
    return folded


def build_sheets(session, date_from: date, date_to: date, pcode: str, languages: Languages,
                 today: date | None = None) -> tuple[list[Sheet], MaraFigures, MaraFigures]:
    t = languages
    current = mara_figures(session.connection, Period(date_from, date_to, pcode))
    previous_from, previous_to = previous_period(date_from, date_to)
    previous = mara_figures(session.connection, Period(previous_from, previous_to, pcode))
    parties = {party.id: party for party in session.parties.list()}
    all_names = session.parties.names()
    language = t.codes[0]

    def party_label(key: str) -> str:
        if key == mara.UNIDENTIFIED:
            return t.text(mara.UNIDENTIFIED_LABEL[1], mara.UNIDENTIFIED_LABEL[0])
        return all_names.get(key) or t.text(UNKNOWN_PARTY)

    def place_label(key: str) -> str:
        if not key:
            return t.text(NO_AREA)
        place = session.places.get(key)
        return f"{place.name(language)} ({key})" if place else key

    sheets = []
    summary = Sheet("summary", t.text(SUMMARY), _victim_header(t, ""))
    summary.header[0] = ""
    summary.rows.append(_victim_row(t.text(TOTAL), current.total, previous.total))
    sheets.append(summary)
    sheets.append(_keyed(t, "violation_types", BY_VIOLATION, N_("Violation type"),
                         current.by_violation, previous.by_violation, list(mara.VIOLATION_TYPE.codes),
                         lambda code: t.label(mara.VIOLATION_TYPE, code), VIOLATIONS_CHART))
    sheets[-1].note = t.text(SEVERAL)
    party_order = sorted(set(current.by_party) | set(previous.by_party),
                         key=lambda key: (key == mara.UNIDENTIFIED, -current.by_party.get(key, Row()).incidents,
                                          party_label(key).lower()))
    sheets.append(_keyed(t, "parties", BY_PARTY, PARTY, current.by_party, previous.by_party, party_order,
                         party_label, PARTIES_CHART))
    locations = sorted(set(current.by_location) | set(previous.by_location))
    for name, title, level, first in (("admin1", BY_ADMIN1, 1, N_("Province")),
                                      ("admin2", BY_ADMIN2, 2, N_("Territory"))):
        mapping = ancestors_at(session.connection, locations, level)
        now_rows, before_rows = _fold(current.by_location, mapping), _fold(previous.by_location, mapping)
        order = sorted(set(now_rows) | set(before_rows), key=lambda key: (key == "", key))
        sheets.append(_keyed(t, name, title, first, now_rows, before_rows, order, place_label,
                             with_total=current.total, with_previous_total=previous.total))
    months, previous_months = months_between(date_from, date_to), months_between(previous_from, previous_to)
    month_sheet = Sheet("months", t.text(BY_MONTH), _victim_header(t, N_("Month"), PREVIOUS_MONTH))
    for index, month in enumerate(months):
        current_row = current.by_month.get(month, Row())
        before = previous.by_month.get(previous_months[index], Row()) if index < len(previous_months) else Row()
        month_sheet.rows.append(_victim_row(date(int(month[:4]), int(month[5:]), 1), current_row, before))
    month_sheet.total = _victim_row(t.text(TOTAL), current.total, previous.total)
    month_sheet.chart = (t.text(MONTHS_CHART), [(t.date(date(int(m[:4]), int(m[5:]), 1), "MMM yyyy") if not
                                                 t.bilingual else m, current.by_month.get(m, Row()).incidents)
                                                for m in months], "v")
    sheets.append(month_sheet)
    sheets.append(_keyed(t, "verification", BY_VERIFICATION, N_("Verification"), current.by_verification,
                         previous.by_verification, list(mara.INCIDENT_VERIFICATION.codes),
                         lambda code: t.label(mara.INCIDENT_VERIFICATION, code), with_total=current.total,
                         with_previous_total=previous.total))
    knowledge = Sheet("time_to_knowledge", t.text(BY_KNOWLEDGE), [t.text(N_("Days")), t.text(INCIDENTS),
                                                                   t.text(PREVIOUS)])
    for code, label, _first, _last in mara.KNOWLEDGE_BUCKETS:
        knowledge.rows.append([t.text(label), current.by_knowledge.get(code, 0), previous.by_knowledge.get(code, 0)])
    knowledge.rows.append([t.text(DATE_UNKNOWN), current.by_knowledge.get("unknown", 0),
                           previous.by_knowledge.get("unknown", 0)])
    knowledge.total = [t.text(TOTAL), current.total.incidents, previous.total.incidents]
    knowledge.chart = (t.text(BY_KNOWLEDGE), [(row[0], row[1]) for row in knowledge.rows], "v")
    sheets.append(knowledge)
    verified = Sheet("verified_parties", t.text(VERIFIED_PARTIES),
                     [t.text(PARTY), t.text(TYPE), t.text(LISTED_SINCE), t.text(INCIDENTS), t.text(PREVIOUS),
                      t.text(VICTIMS), t.text(PREVIOUS)])
    for key in sorted(set(current.verified_by_party) | set(previous.verified_by_party),
                      key=lambda k: (k == mara.UNIDENTIFIED, -current.verified_by_party.get(k, Row()).incidents)):
        now_row, before_row = current.verified_by_party.get(key, Row()), previous.verified_by_party.get(key, Row())
        party = parties.get(key)
        verified.rows.append([party_label(key), t.label(mara.PARTY_TYPE, party.party_type) if party else "",
                              party.listed_since if party and party.listed_since else "", now_row.incidents,
                              before_row.incidents, now_row.victims, before_row.victims])
    sheets.append(verified)
    statuses = list(mara.ITEM_STATUS.codes)
    commitments = Sheet("commitments", t.text(COMMITMENTS),
                        [t.text(PARTY), t.text(KIND), t.text(TITLE_COLUMN), t.text(SIGNED), t.text(ITEMS)]
                        + [t.label(mara.ITEM_STATUS, code) for code in statuses] + [t.text(OVERDUE)])
    for status in commitment_statuses(session.connection, today or min(date_to, datetime.now(timezone.utc).date())):
        commitments.rows.append([party_label(status.party_id), t.label(mara.COMMITMENT_KIND, status.kind),
                                 status.title, status.signed_on or "", status.items]
                                + [status.items_by_status.get(code, 0) for code in statuses] + [status.overdue])
    sheets.append(commitments)
    return sheets, current, previous


def _check(session, date_from: date, date_to: date, pcode: str) -> str:
    if date_to < date_from:
        raise DocumentError(_("The period ends ({end}) before it starts ({start}).").format(
            end=date_to.isoformat(), start=date_from.isoformat()))
    pcode = (pcode or "").strip().upper()
    if pcode and session.places.get(pcode) is None:
        raise DocumentError(_("Unknown area P-code {pcode}: import the gazetteer or check the code.").format(
            pcode=pcode))
    return pcode


def _heading_lines(session, t: Languages, date_from, date_to, pcode) -> list[str]:
    previous_from, previous_to = previous_period(date_from, date_to)
    area = (session.places.path_label(pcode, t.codes[0]) + f" ({pcode})") if pcode else t.text(ALL_AREAS)
    return [t.text(PERIOD_LINE, start=t.date(date_from), end=t.date(date_to), previous_start=t.date(previous_from),
                   previous_end=t.date(previous_to)),
            t.text(AREA, area=area),
            t.text(GENERATED, office=session.site_name, date=t.date(datetime.now(timezone.utc)))]


def _cell(t: Languages, value) -> str:
    if isinstance(value, bool):
        return t.yes_no(value)
    if isinstance(value, int):
        return t.number(value)
    if isinstance(value, date):
        return t.date(value, "MMM yyyy") if value.day == 1 and not t.bilingual else t.date(value, "medium")
    return str(value)


def build_mara_pdf(session, date_from: date, date_to: date, pcode: str, language_spec: str,
                   progress: Callable[[int, int], None] | None = None) -> bytes:
    languages = Languages(language_spec)
    pcode = _check(session, date_from, date_to, pcode)
    progress = progress or (lambda done, total: None)
    progress(0, 2)
    sheets, current, _previous = build_sheets(session, date_from, date_to, pcode, languages)
    progress(1, 2)
    styles = make_styles(8.5, condensed=True)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, initialFontName=CONDENSED, leftMargin=14 * mm, rightMargin=14 * mm,
                            topMargin=14 * mm, bottomMargin=16 * mm, title=languages.text(TITLE),
                            author=session.site_name, creator="fieldapp")
    r = ReportLayout(languages, styles, doc.width)
    story = [r.para(languages.text(TITLE), styles.title)]
    story += [r.para(line, styles.subtitle) for line in _heading_lines(session, languages, date_from, date_to, pcode)[:2]]
    story.append(r.para(_heading_lines(session, languages, date_from, date_to, pcode)[2], styles.small))
    story.append(Spacer(1, 4))
    story.append(r.para(languages.text(LEFT_OUT, counted=languages.number(current.total.incidents),
                                       total=languages.number(current.total_in_period),
                                       left_out=languages.number(current.left_out)), styles.bold))
    for sheet in sheets:
        block = [r.para(sheet.title, styles.heading)]
        if not sheet.rows:
            story += block + [r.para(languages.text(NOTHING))]
            continue
        rows = [[_cell(languages, value) for value in row] for row in sheet.rows]
        total = [_cell(languages, value) for value in sheet.total] if sheet.total else None
        block.append(r.table(sheet.header, rows, total))
        if sheet.note:
            block += [Spacer(1, 2), r.para(sheet.note, styles.small)]
        story.append(KeepTogether(block))
        if sheet.chart:
            title, items, shape = sheet.chart
            story.append(Spacer(1, 6))
            if shape == "h":
                story.append(horizontal_bars(title, items, r.width, label_width=r.width * (0.5 if languages.bilingual
                                                                                            else 0.4),
                                             value_text=lambda v: languages.number(int(v))))
            else:
                story.append(vertical_bars(title, items, r.width, value_text=lambda v: languages.number(int(v))))
        story.append(Spacer(1, 6))

    def page_number(canvas, document):
        canvas.saveState()
        canvas.setFont(styles.small.fontName, styles.small.fontSize)
        canvas.drawRightString(document.leftMargin + document.width, 9 * mm, str(document.page))
        canvas.drawString(document.leftMargin, 9 * mm, f"{session.site_name} · {languages.text(TITLE)}")
        canvas.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    progress(2, 2)
    return buffer.getvalue()


def build_mara_xlsx(session, date_from: date, date_to: date, pcode: str, language_spec: str) -> bytes:
    """The same tables as the PDF, one sheet each: numbers as numbers, dates as dates."""
    import xlsxwriter

    languages = Languages(language_spec)
    pcode = _check(session, date_from, date_to, pcode)
    sheets, current, _previous = build_sheets(session, date_from, date_to, pcode, languages)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    title_format = book.add_format({"bold": True, "font_size": 13})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    month = book.add_format({"num_format": "yyyy-mm"})
    about = book.add_worksheet("report")
    about.set_column(0, 0, 110)
    about.write_string(0, 0, languages.text(TITLE), title_format)
    for index, line in enumerate(_heading_lines(session, languages, date_from, date_to, pcode), start=1):
        about.write_string(index, 0, line)
    about.write_string(5, 0, languages.text(LEFT_OUT, counted=languages.number(current.total.incidents),
                                            total=languages.number(current.total_in_period),
                                            left_out=languages.number(current.left_out)))
    previous_from, previous_to = previous_period(date_from, date_to)
    for row, (label, value) in enumerate(((N_("First day"), date_from), (N_("Last day"), date_to),
                                          (N_("Previous period, first day"), previous_from),
                                          (N_("Previous period, last day"), previous_to)), start=7):
        about.write_string(row, 0, languages.text(label))
        about.write_datetime(row, 1, datetime(value.year, value.month, value.day), day)
    about.set_column(1, 1, 12)
    for row, (label, value) in enumerate(((N_("Incidents counted"), current.total.incidents),
                                          (N_("Incidents left out"), current.left_out)), start=12):
        about.write_string(row, 0, languages.text(label))
        about.write_number(row, 1, value)
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        ws.write_string(0, 0, sheet.title, title_format)
        for column, text in enumerate(sheet.header):
            ws.write_string(2, column, text, bold)
        ws.set_column(0, 0, 36)
        ws.set_column(1, len(sheet.header) - 1, 12)
        ws.freeze_panes(3, 1)
        for offset, values in enumerate([*sheet.rows, *([sheet.total] if sheet.total else [])]):
            for column, value in enumerate(values):
                cell_format = bold if sheet.total is values and column == 0 else None
                if isinstance(value, bool):
                    ws.write_boolean(3 + offset, column, value)
                elif isinstance(value, (int, float)):
                    ws.write_number(3 + offset, column, value)
                elif isinstance(value, date):
                    ws.write_datetime(3 + offset, column, datetime(value.year, value.month, value.day),
                                      month if sheet.name == "months" else day)
                elif value == "" or value is None:
                    ws.write_blank(3 + offset, column, None)
                else:
                    ws.write_string(3 + offset, column, str(value), cell_format)
        if sheet.note:
            ws.write_string(4 + len(sheet.rows) + (1 if sheet.total else 0), 0, sheet.note)
    book.close()
    return buffer.getvalue()
