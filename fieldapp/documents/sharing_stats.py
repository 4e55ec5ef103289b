"""The information-sharing statistics (docs/DESIGN.md 9): the monthly aggregate tables a GBV
information-sharing protocol agrees, as PDF and XLSX, in en, fr or en+fr.

Only referrals with consent to reporting are counted (fieldapp.store.sharing_stats). Every figure
under 5 is printed "<5", and cells that a total would give away are hidden too ("x",
fieldapp.domain.suppression). Nothing names the office, a user or a provider: the tables travel
to the GBV coordination, outside the office.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

from fieldapp.documents.common import DocumentError, Languages, months_between
from fieldapp.documents.fonts import CONDENSED
from fieldapp.documents.report import ReportLayout
from fieldapp.documents.styles import make_styles
from fieldapp.domain import vocab
from fieldapp.domain.derived import DELAY_BUCKETS
from fieldapp.domain.suppression import SHOWN, SMALL, Protected, protect
from fieldapp.i18n import N_, _
from fieldapp.store.reports import Period
from fieldapp.store.sharing_stats import sharing_figures

MAX_MONTHS = 12
SMALL_MARK = "<5"
HIDDEN_MARK = "x"
TITLE = N_("GBV information-sharing statistics")
PERIOD = N_("Period: {start} to {end}")
AREA = N_("Area: {area}")
ALL_AREAS = N_("All areas")
CONSENT_NOTE = N_("Only referrals whose survivor agreed to her non-identifying data being counted in statistics are "
                  "counted, by the month they were reported.")
SMALL_NOTE = N_("<5: a figure from 0 to 4, not printed so that no survivor can be recognised. x: a figure of 5 or "
                "more, hidden so that a total cannot give away a figure under 5.")
BY_TYPE = N_("Incidents by type")
BY_SEX_AGE = N_("Survivors by sex and age group")
BY_DELAY = N_("Incidents by time from incident to report")
BY_SECTOR = N_("Services the survivors were referred to, by sector")
SECTOR_NOTE = N_("A survivor may be referred to several services: this table may add up to more than the others.")
TOTAL = N_("Total")
SEX_AGE = N_("{sex}, {age}")
OTHER_SEX_AGE = N_("Other sex, or sex or age not given")
CATEGORY = N_("Category")


@dataclass
class StatTable:
    name: str                     # XLSX sheet name (stable, English)
    title: str
    rows: list[str]               # row labels
    months: list[str]             # "YYYY-MM"
    protected: Protected
    note: str = ""


SEX_AGE_ROWS = [(sex, age) for sex in ("female", "male") for age in ("0-11", "12-17", "18-59", "60+")]


def _sex_age_key(key: tuple[str, str]) -> tuple[str, str] | str:
    return key if key in SEX_AGE_ROWS else "other"


def _table(name, title, keys, labels, months, counts: dict, fold=lambda key: key, note="") -> StatTable:
    grid = {key: {month: 0 for month in months} for key in keys}
    for (month, key), n in counts.items():
        folded = fold(key)
        if folded in grid and month in grid[folded]:
            grid[folded][month] += n
    values = [[grid[key][month] for month in months] for key in keys]
    return StatTable(name, title, labels, months, protect(values), note)


def check_period(session, date_from: date, date_to: date, pcode: str) -> str:
    if date_to < date_from:
        raise DocumentError(_("The period ends ({end}) before it starts ({start}).").format(
            end=date_to.isoformat(), start=date_from.isoformat()))
    if len(months_between(date_from, date_to)) > MAX_MONTHS:
        raise DocumentError(_("The statistics cover at most {count} months: choose a shorter period.").format(
            count=MAX_MONTHS))
    pcode = (pcode or "").strip().upper()
    if pcode and session.places.get(pcode) is None:
        raise DocumentError(_("Unknown area P-code {pcode}: import the gazetteer or check the code.").format(
            pcode=pcode))
    return pcode


def build_tables(session, date_from: date, date_to: date, pcode: str, languages: Languages) -> list[StatTable]:
    t = languages
    figures = sharing_figures(session.connection, Period(date_from, date_to, pcode))
    months = months_between(date_from, date_to)
    types = list(vocab.INCIDENT_TYPE.codes)
    sex_age_labels = [join_each(t, SEX_AGE, sex=(vocab.SEX, sex), age=(vocab.AGE_GROUP, age))
                      for sex, age in SEX_AGE_ROWS] + [t.text(OTHER_SEX_AGE)]
    delays = [code for code, _label, _first, _last in DELAY_BUCKETS] + ["unknown"]
    delay_labels = [t.text(label) for _code, label, _first, _last in DELAY_BUCKETS] + [t.text(N_("Unknown"))]
    sectors = list(vocab.SECTOR.codes)
    return [
        _table("incident_types", t.text(BY_TYPE), types, [t.label(vocab.INCIDENT_TYPE, c) for c in types], months,
               figures.by_type),
        _table("sex_age", t.text(BY_SEX_AGE), [*SEX_AGE_ROWS, "other"], sex_age_labels, months, figures.by_sex_age,
               _sex_age_key),
        _table("reporting_delay", t.text(BY_DELAY), delays, delay_labels, months, figures.by_delay),
        _table("services", t.text(BY_SECTOR), sectors, [t.label(vocab.SECTOR, c) for c in sectors], months,
               figures.services_by_sector, note=t.text(SECTOR_NOTE)),
    ]


def join_each(t: Languages, msgid: str, **coded) -> str:
    """A pattern filled with vocabulary labels, each language with its own labels ("Female, 0–11 years")."""
    from fieldapp.i18n import translate_in

    texts = [translate_in(code, msgid).format(**{name: vocabulary.label_in(code, value)
                                                 for name, (vocabulary, value) in coded.items()})
             for code in t.codes]
    return " / ".join(dict.fromkeys(texts))


def month_label(t: Languages, month: str) -> str:
    return month if t.bilingual else t.date(date(int(month[:4]), int(month[5:]), 1), "MMM yyyy")


def cell_text(t: Languages, table: StatTable, i: int, j: int) -> str:
    status = table.protected.status[i][j]
    if status == SHOWN:
        return t.number(table.protected.values[i][j])
    return SMALL_MARK if status == SMALL else HIDDEN_MARK


def _heading_lines(session, t: Languages, date_from, date_to, pcode) -> list[str]:
    area = (session.places.path_label(pcode, t.codes[0]) + f" ({pcode})") if pcode else t.text(ALL_AREAS)
    return [t.text(PERIOD, start=t.date(date_from), end=t.date(date_to)), t.text(AREA, area=area)]


def build_sharing_pdf(session, date_from: date, date_to: date, pcode: str, language_spec: str) -> bytes:
    languages = Languages(language_spec)
    pcode = check_period(session, date_from, date_to, pcode)
    tables = build_tables(session, date_from, date_to, pcode, languages)
    styles = make_styles(8.5, condensed=True)
    buffer = io.BytesIO()
    # No author: the file leaves the office and must not name it.
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), initialFontName=CONDENSED, leftMargin=14 * mm,
                            rightMargin=14 * mm, topMargin=14 * mm, bottomMargin=16 * mm,
                            title=languages.text(TITLE), author="", creator="fieldapp")
    r = ReportLayout(languages, styles, doc.width)
    story = [r.para(languages.text(TITLE), styles.title)]
    story += [r.para(line, styles.subtitle) for line in _heading_lines(session, languages, date_from, date_to, pcode)]
    story += [Spacer(1, 4), r.para(languages.text(CONSENT_NOTE), styles.bold),
              r.para(languages.text(SMALL_NOTE), styles.small), Spacer(1, 6)]
    for table in tables:
        header = [r.header(CATEGORY)] + [month_label(languages, m) for m in table.months] + [r.header(TOTAL)]
        rows = [[label] + [cell_text(languages, table, i, j) for j in range(len(table.months) + 1)]
                for i, label in enumerate(table.rows)]
        last = len(table.rows)
        total = [languages.text(TOTAL)] + [cell_text(languages, table, last, j) for j in range(len(table.months) + 1)]
        block = [r.para(table.title, styles.heading), r.table(header, rows, total)]
        if table.note:
            block += [Spacer(1, 2), r.para(table.note, styles.small)]
        story += [KeepTogether(block), Spacer(1, 8)]

    def page_number(canvas, document):
        canvas.saveState()
        canvas.setFont(styles.small.fontName, styles.small.fontSize)
        canvas.drawRightString(document.leftMargin + document.width, 9 * mm, str(document.page))
        canvas.drawString(document.leftMargin, 9 * mm, languages.text(TITLE))
        canvas.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


def build_sharing_xlsx(session, date_from: date, date_to: date, pcode: str, language_spec: str) -> bytes:
    """The same tables, one sheet each: figures as numbers, "<5" and "x" as text, months as dates."""
    import xlsxwriter

    languages = Languages(language_spec)
    pcode = check_period(session, date_from, date_to, pcode)
    tables = build_tables(session, date_from, date_to, pcode, languages)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    book.set_properties({"title": languages.text(TITLE), "author": "", "company": ""})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    bold_month = book.add_format({"bold": True, "num_format": "yyyy-mm", "align": "right"})
    title_format = book.add_format({"bold": True, "font_size": 13})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    right = book.add_format({"align": "right"})
    about = book.add_worksheet("about")
    about.set_column(0, 0, 100)
    about.write_string(0, 0, languages.text(TITLE), title_format)
    for row, line in enumerate([*_heading_lines(session, languages, date_from, date_to, pcode),
                                languages.text(CONSENT_NOTE), languages.text(SMALL_NOTE)], start=1):
        about.write_string(row, 0, line)
    for row, (label, value) in enumerate(((N_("First day"), date_from), (N_("Last day"), date_to)), start=6):
        about.write_string(row, 0, languages.text(label))
        about.write_datetime(row, 1, datetime(value.year, value.month, value.day), day)
    about.set_column(1, 1, 12)
    for table in tables:
        ws = book.add_worksheet(table.name)
        ws.write_string(0, 0, table.title, title_format)
        ws.write_string(2, 0, languages.text(CATEGORY), bold)
        for j, month in enumerate(table.months, start=1):
            ws.write_datetime(2, j, datetime(int(month[:4]), int(month[5:]), 1), bold_month)
        ws.write_string(2, len(table.months) + 1, languages.text(TOTAL), bold)
        ws.set_column(0, 0, 40)
        ws.set_column(1, len(table.months) + 1, 10)
        ws.freeze_panes(3, 1)
        for i, label in enumerate([*table.rows, languages.text(TOTAL)]):
            ws.write_string(3 + i, 0, label, bold if i == len(table.rows) else None)
            for j in range(len(table.months) + 1):
                if table.protected.status[i][j] == SHOWN:
                    ws.write_number(3 + i, 1 + j, table.protected.values[i][j])
                else:
                    ws.write_string(3 + i, 1 + j, SMALL_MARK if table.protected.status[i][j] == SMALL
                                    else HIDDEN_MARK, right)
        if table.note:
            ws.write_string(5 + len(table.rows), 0, table.note)
    book.close()
    return buffer.getvalue()
