"""The period report for headquarters: referrals, services, alerts and trainings for one period and
area, as tables and charts, in English, French or both. Figures come from fieldapp.store.reports;
only referrals with consent to reporting are counted, and the report says how many were left out.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timezone
from typing import Callable

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from fieldapp.documents.charts import horizontal_bars, stacked_horizontal_bars, vertical_bars
from fieldapp.documents.common import DocumentError, Languages, markup
from fieldapp.documents.fonts import CONDENSED
from fieldapp.documents.styles import Styles, make_styles
from fieldapp.documents.tables import HEADER_SEPARATOR, figure_table
from fieldapp.domain import vocab
from fieldapp.domain.derived import DELAY_BUCKETS
from fieldapp.i18n import N_, _
from fieldapp.store.reports import Period, alert_figures, referral_figures, training_figures

TITLE = N_("Protection activity report")
PERIOD = N_("Period: {start} to {end}")
AREA = N_("Area: {area}")
ALL_AREAS = N_("All areas")
GENERATED = N_("Prepared by {office} on {date}")
CONSENT_NOTE = N_("Only referrals whose survivor (or caregiver) agreed to statistical reporting are counted: "
                  "{counted} of the {total} referrals of the period. {left_out} without that consent are left "
                  "out of every figure below.")
REFERRALS = N_("Referrals")
SERVICES = N_("Referral services")
ALERTS = N_("Community alerts")
TRAININGS = N_("Trainings")
COUNT = N_("Number")
SHARE = N_("Share")
TOTAL = N_("Total")
INCIDENT_TYPE = N_("Referrals by incident type")
BY_GROUP = N_("Referrals by sex and age")
DELAY = N_("Time from incident to report")
WITHIN_72H = N_("Reached the office within 72 hours of the incident: {share} ({count} of {known} referrals with "
                "a known incident date).")
CRSV = N_("Conflict-related sexual violence: {count} referrals.")
UNKNOWN_DATE = N_("Incident date unknown")
SECTOR = N_("Sector")
RECEIVED = N_("Alerts received: {count}")
RESPONDED = N_("Responded to: {share} ({count})")
TO_FORWARDING = N_("Median time from receipt to forwarding: {minutes} minutes")
TO_RESPONSE = N_("Median time from receipt to response on site: {minutes} minutes")
BY_THREAT = N_("Alerts by threat type (an alert may report several)")
AUDIENCE = N_("Audience")
SESSIONS = N_("Sessions")
WOMEN = N_("Women")
MEN = N_("Men")
UNDISCLOSED = N_("Sex not given")
PARTICIPANTS = N_("Participants")
SHARE_WOMEN = N_("% women")
PRE = N_("Pre-test")
POST = N_("Post-test")
GAIN = N_("Gain (points)")
TESTS_NOTE = N_("Test scores are averages over the sessions that recorded both a pre-test and a post-test.")
PARTICIPANTS_BY_SEX = N_("Participants by audience and sex")
NOTHING = N_("Nothing recorded in this period.")
GROUPS = (("girls", N_("Girls (under 18)")), ("boys", N_("Boys (under 18)")), ("women", N_("Women (18 and over)")),
          ("men", N_("Men (18 and over)")), ("unknown", N_("Sex or age not known")))


class _Report:
    def __init__(self, languages: Languages, styles: Styles, width: float):
        self.t = languages
        self.styles = styles
        self.width = width

    def para(self, text: str, style=None) -> Paragraph:
        return Paragraph(markup(text), style or self.styles.body)

    def table(self, header: list[str], rows: list[list[str]], total: list[str] | None = None):
        return figure_table(header, rows, total, self.styles, self.width)

    def share(self, part: int, whole: int) -> str:
        return self.t.percent(part / whole) if whole else "—"

    def header(self, msgid: str) -> str:
        return self.t.text(msgid, separator=HEADER_SEPARATOR)

    def minutes(self, value: float | None) -> str:
        return "—" if value is None else self.t.number(round(value))


def _referral_section(r: _Report, figures) -> list:
    t = r.t
    story = [r.para(t.text(REFERRALS), r.styles.heading)]
    story.append(r.para(t.text(CONSENT_NOTE, counted=t.number(figures.counted), total=t.number(
        figures.total_in_period), left_out=t.number(figures.left_out)), r.styles.bold))
    story.append(Spacer(1, 4))
    if not figures.counted:
        return story + [r.para(t.text(NOTHING))]
    story.append(r.para(t.text(CRSV, count=t.number(figures.crsv))))
    share = figures.share_within_72h
    story.append(r.para(t.text(WITHIN_72H, share=t.percent(share), count=t.number(figures.within_72h),
                               known=t.number(figures.known_incident_time))))
    story.append(Spacer(1, 6))
    types = sorted(figures.by_incident_type.items(), key=lambda item: -item[1])
    rows = [[t.label(vocab.INCIDENT_TYPE, code), t.number(n), r.share(n, figures.counted)] for code, n in types]
    story.append(KeepTogether([
        r.table([t.text(INCIDENT_TYPE), r.header(COUNT), r.header(SHARE)], rows,
                [t.text(TOTAL), t.number(figures.counted), r.share(figures.counted, figures.counted)]),
        Spacer(1, 6),
        horizontal_bars(t.text(INCIDENT_TYPE), [(t.label(vocab.INCIDENT_TYPE, c), n) for c, n in types], r.width,
                        label_width=r.width * (0.55 if t.bilingual else 0.42), value_text=lambda v: t.number(int(v)))]))
    story.append(Spacer(1, 8))
    groups = [(t.text(label), figures.by_group.get(code, 0)) for code, label in GROUPS]
    rows = [[label, t.number(n), r.share(n, figures.counted)] for label, n in groups]
    story.append(KeepTogether([
        r.table([t.text(BY_GROUP), r.header(COUNT), r.header(SHARE)], rows), Spacer(1, 6),
        vertical_bars(t.text(BY_GROUP), groups, r.width, value_text=lambda v: t.number(int(v)))]))
    story.append(Spacer(1, 8))
    buckets = [(t.text(label), figures.by_delay.get(code, 0)) for code, label, _first, _last in DELAY_BUCKETS]
    buckets.append((t.text(UNKNOWN_DATE), figures.by_delay.get("unknown", 0)))
    rows = [[label, t.number(n), r.share(n, figures.counted)] for label, n in buckets]
    story.append(KeepTogether([
        r.table([t.text(DELAY), r.header(COUNT), r.header(SHARE)], rows), Spacer(1, 6),
        vertical_bars(t.text(DELAY), buckets, r.width, value_text=lambda v: t.number(int(v)))]))
    return story


def _services_section(r: _Report, figures) -> list:
    t = r.t
    story = [r.para(t.text(SERVICES), r.styles.heading)]
    counts = figures.services_by_sector_status
    if not counts:
        return story + [r.para(t.text(NOTHING))]
    statuses = [code for code in vocab.SERVICE_STATUS.codes if any(key[1] == code for key in counts)]
    sectors = [code for code in vocab.SECTOR.codes if any(key[0] == code for key in counts)]
    header = [t.text(SECTOR)] + [t.label(vocab.SERVICE_STATUS, code, separator=HEADER_SEPARATOR)
                                 for code in statuses] + [r.header(TOTAL)]
    rows = []
    for sector in sectors:
        values = [counts.get((sector, status), 0) for status in statuses]
        rows.append([t.label(vocab.SECTOR, sector)] + [t.number(v) for v in values] + [t.number(sum(values))])
    column_totals = [sum(counts.get((s, status), 0) for s in sectors) for status in statuses]
    total = [t.text(TOTAL)] + [t.number(v) for v in column_totals] + [t.number(sum(column_totals))]
    story.append(r.table(header, rows, total))
    return story


def _alerts_section(r: _Report, figures) -> list:
    t = r.t
    story = [r.para(t.text(ALERTS), r.styles.heading)]
    if not figures.received:
        return story + [r.para(t.text(NOTHING))]
    story += [r.para(t.text(RECEIVED, count=t.number(figures.received)), r.styles.bold),
              r.para(t.text(RESPONDED, share=t.percent(figures.share_responded), count=t.number(figures.responded))),
              r.para(t.text(TO_FORWARDING, minutes=r.minutes(figures.median_minutes_to_forwarding))),
              r.para(t.text(TO_RESPONSE, minutes=r.minutes(figures.median_minutes_to_response))), Spacer(1, 6)]
    threats = sorted(figures.by_threat_type.items(), key=lambda item: -item[1])
    rows = [[t.label(vocab.THREAT_TYPE, code), t.number(n), r.share(n, figures.received)] for code, n in threats]
    story.append(KeepTogether([
        r.table([t.text(BY_THREAT), r.header(COUNT), r.header(SHARE)], rows), Spacer(1, 6),
        horizontal_bars(t.text(BY_THREAT), [(t.label(vocab.THREAT_TYPE, c), n) for c, n in threats], r.width,
                        label_width=r.width * (0.55 if t.bilingual else 0.42), value_text=lambda v: t.number(int(v)))]))
    return story


def _trainings_section(r: _Report, figures) -> list:
    t = r.t
    story = [r.para(t.text(TRAININGS), r.styles.heading)]
    if not figures.total.sessions:
        return story + [r.para(t.text(NOTHING))]

    def gain(value):
        return "—" if value is None else ("+" if round(value, 1) > 0 else "") + t.number(round(value, 1))

    def row(label, f):
        return [label, t.number(f.sessions), t.number(f.female), t.number(f.male), t.number(f.undisclosed),
                t.number(f.participants), r.share(f.female, f.participants), t.score(f.pre_test_avg),
                t.score(f.post_test_avg), gain(f.gain)]

    audiences = [code for code in vocab.AUDIENCE.codes if code in figures.by_audience]
    header = [r.header(text) for text in (AUDIENCE, SESSIONS, WOMEN, MEN, UNDISCLOSED, PARTICIPANTS, SHARE_WOMEN,
                                        PRE, POST, GAIN)]
    rows = [row(t.label(vocab.AUDIENCE, code), figures.by_audience[code]) for code in audiences]
    story.append(r.table(header, rows, row(t.text(TOTAL), figures.total)))
    story += [Spacer(1, 3), r.para(t.text(TESTS_NOTE), r.styles.small), Spacer(1, 8)]
    story.append(stacked_horizontal_bars(
        t.text(PARTICIPANTS_BY_SEX), [t.label(vocab.AUDIENCE, code) for code in audiences],
        [(t.text(WOMEN), [figures.by_audience[c].female for c in audiences]),
         (t.text(MEN), [figures.by_audience[c].male for c in audiences]),
         (t.text(UNDISCLOSED), [figures.by_audience[c].undisclosed for c in audiences])],
        r.width, label_width=r.width * (0.5 if t.bilingual else 0.36), value_text=lambda v: t.number(int(v))))
    return story


def build_report(session, date_from: date, date_to: date, pcode: str, language_spec: str,
                 progress: Callable[[int, int], None] | None = None) -> bytes:
    """The report as PDF bytes. `progress(done, total)` is called between the slow steps."""
    languages = Languages(language_spec)
    if date_to < date_from:
        raise DocumentError(_("The period ends ({end}) before it starts ({start}).").format(
            end=date_to.isoformat(), start=date_from.isoformat()))
    pcode = (pcode or "").strip().upper()
    if pcode and session.places.get(pcode) is None:
        raise DocumentError(_("Unknown area P-code {pcode}: import the gazetteer or check the code.").format(
            pcode=pcode))
    progress = progress or (lambda done, total: None)
    period = Period(date_from, date_to, pcode)
    progress(0, 4)
    referrals = referral_figures(session.connection, period)
    progress(1, 4)
    alerts = alert_figures(session.connection, period)
    progress(2, 4)
    trainings = training_figures(session.connection, period)
    progress(3, 4)

    styles = make_styles(9, condensed=True)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, initialFontName=CONDENSED, leftMargin=16 * mm, rightMargin=16 * mm,
                            topMargin=14 * mm,
                            bottomMargin=16 * mm, title=languages.text(TITLE), author=session.site_name,
                            creator="fieldapp")
    r = _Report(languages, styles, doc.width)
    area = session.places.path_label(pcode, languages.codes[0]) + f" ({pcode})" if pcode else languages.text(
        ALL_AREAS)
    story = [r.para(languages.text(TITLE), styles.title),
             r.para(languages.text(PERIOD, start=languages.date(date_from), end=languages.date(date_to)),
                    styles.subtitle),
             r.para(languages.text(AREA, area=area), styles.subtitle),
             r.para(languages.text(GENERATED, office=session.site_name,
                                   date=languages.date(datetime.now(timezone.utc))), styles.small)]
    story += _referral_section(r, referrals)
    story += _services_section(r, referrals)
    story += _alerts_section(r, alerts)
    story += _trainings_section(r, trainings)

    def page_number(canvas, document):
        canvas.saveState()
        canvas.setFont(styles.small.fontName, styles.small.fontSize)
        canvas.drawRightString(document.leftMargin + document.width, 9 * mm, str(document.page))
        canvas.drawString(document.leftMargin, 9 * mm, f"{session.site_name} · {languages.text(TITLE)}")
        canvas.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    progress(4, 4)
    return buffer.getvalue()


# The table and paragraph helpers, for the other reports built on them (the MARA report).
ReportLayout = _Report
