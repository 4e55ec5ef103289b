"""The period report: its figures equal figures computed independently from the records themselves
(repository lists and the domain's own rules, not the report's SQL), non-consented referrals left out."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.documents_support import (broken_numbers, open_filled_vault, overlapping_words, pdf_fonts, pdf_page_images,
                                     pdf_pages, pdf_text, pdf_words, words_off_the_page)
from fieldapp.documents.common import DocumentError
from fieldapp.documents.report import build_report
from fieldapp.domain.derived import beneficiary_group, delay_bucket, incident_moment, reporting_delay_days
from fieldapp.domain.records import Referral
from fieldapp.store.reports import Period, alert_figures, referral_figures, training_figures
from fieldapp.core.changes import ListQuery

TODAY = date.today()
YEAR = (TODAY - timedelta(days=364), TODAY)
ABA = "CD5306"  # an area the demo data never uses: controlled referrals go there


@pytest.fixture(scope="module")
def session(template_vault, tmp_path_factory):
    opened = open_filled_vault(template_vault, tmp_path_factory.mktemp("report"), records=400)
    yield opened
    opened.close()


def independent_referrals(session, start: date, end: date, pcode: str = "") -> dict:
    listed = session.referrals.list(ListQuery(date_from=start, date_to=end, pcode_prefix=pcode))
    counted = [r for r in listed if r.consent_reporting]
    known = [r for r in counted if incident_moment(r) is not None]
    services = Counter()
    for referral in counted:
        services.update((s.sector, s.status) for s in session.services.for_referral(referral.id))
    return {
        "total": len(listed),
        "counted": len(counted),
        "by_type": Counter(r.incident_type for r in counted),
        "by_group": Counter(beneficiary_group(r.sex, r.age_group) for r in counted),
        "by_delay": Counter(delay_bucket(reporting_delay_days(r)) or "unknown" for r in counted),
        "known": len(known),
        "within_72h": sum((r.reported_at - incident_moment(r)) <= timedelta(hours=72) for r in known),
        "crsv": sum(r.crsv for r in counted),
        "services": services,
    }


@pytest.mark.parametrize("days", [364, 20])  # a long period reads tables through; a short one uses indexes
def test_referral_figures_equal_an_independent_count(session, days):
    start, end = TODAY - timedelta(days=days), TODAY
    expected = independent_referrals(session, start, end)
    figures = referral_figures(session.connection, Period(start, end))
    assert expected["counted"] < expected["total"]  # the demo has referrals without consent
    assert (figures.total_in_period, figures.counted, figures.left_out) == (
        expected["total"], expected["counted"], expected["total"] - expected["counted"])
    assert figures.by_incident_type == dict(expected["by_type"])
    assert figures.by_group == dict(expected["by_group"])
    assert figures.by_delay == dict(expected["by_delay"])
    assert (figures.known_incident_time, figures.within_72h) == (expected["known"], expected["within_72h"])
    assert figures.crsv == expected["crsv"]
    assert figures.services_by_sector_status == dict(expected["services"])


def test_area_filter_counts_only_that_area_and_below(session):
    start, end = TODAY - timedelta(days=3 * 365), TODAY
    for pcode in ("CD61", "CD6109"):
        expected = independent_referrals(session, start, end, pcode)
        figures = referral_figures(session.connection, Period(start, end, pcode))
        assert 0 < figures.counted == expected["counted"]
        assert figures.by_incident_type == dict(expected["by_type"])


def _referral(session, reported: datetime, incident: date, consent: bool = True, **values) -> Referral:
    referral = Referral(survivor_code=session.referrals.next_survivor_code("ABA", reported.year),
                        reported_at=reported, incident_date=incident, incident_type=values.get("type", "rape"),
                        sex="female", age_group=values.get("age", "18-59"), entry_point="self",
                        consent_referral=True, consent_reporting=consent, location_pcode=ABA,
                        consent_by="caregiver" if values.get("age") in ("0-11", "12-17") else "survivor")
    session.referrals.create(referral)
    return referral


def test_delay_buckets_and_the_72_hour_boundary(session):
    base = datetime.combine(TODAY - timedelta(days=60), datetime.min.time(), tzinfo=timezone.utc)
    incident = base.date()
    _referral(session, base + timedelta(hours=72), incident)                 # day 3, exactly 72 h: within
    _referral(session, base + timedelta(hours=72, minutes=1), incident)      # day 3, just over 72 h
    _referral(session, base + timedelta(days=4, hours=2), incident)          # day 4 belongs to 4–5 days
    _referral(session, base + timedelta(days=15), incident, age="12-17")     # 15 days–1 month, a girl
    _referral(session, base + timedelta(days=31), incident, type="forced_marriage")  # over one month
    _referral(session, base + timedelta(days=1), incident, consent=False)    # left out of every figure
    figures = referral_figures(session.connection, Period(incident, TODAY, ABA))
    assert (figures.total_in_period, figures.counted, figures.left_out) == (6, 5, 1)
    assert figures.by_delay == {"0-3d": 2, "4-5d": 1, "15d-1m": 1, "over-1m": 1}
    assert (figures.within_72h, figures.known_incident_time) == (1, 5)
    assert figures.by_group == {"women": 4, "girls": 1}
    assert figures.by_incident_type == {"rape": 4, "forced_marriage": 1}


def test_alert_figures_equal_an_independent_count(session):
    start, end = YEAR
    alerts = session.alerts.list(ListQuery(date_from=start, date_to=end))
    figures = alert_figures(session.connection, Period(start, end))
    assert figures.received == len(alerts) > 0
    assert figures.responded == sum(a.responded_at is not None for a in alerts)
    forwarding = [(a.forwarded_at - a.received_at).total_seconds() / 60 for a in alerts if a.forwarded_at]
    response = [(a.responded_at - a.received_at).total_seconds() / 60 for a in alerts if a.responded_at]
    assert figures.median_minutes_to_forwarding == pytest.approx(statistics.median(forwarding), abs=0.01)
    assert figures.median_minutes_to_response == pytest.approx(statistics.median(response), abs=0.01)
    assert figures.by_threat_type == dict(Counter(t for a in alerts for t in a.threat_types))


def test_training_figures_equal_an_independent_count(session):
    start, end = YEAR
    trainings = session.trainings.list(ListQuery(date_from=start, date_to=end))
    figures = training_figures(session.connection, Period(start, end))
    assert figures.total.sessions == len(trainings) > 0
    for audience in {t.audience for t in trainings}:
        group = [t for t in trainings if t.audience == audience]
        tested = [t for t in group if t.pre_test_avg is not None and t.post_test_avg is not None]
        got = figures.by_audience[audience]
        assert (got.sessions, got.female, got.male, got.undisclosed) == (
            len(group), sum(t.participants_female for t in group), sum(t.participants_male for t in group),
            sum(t.participants_undisclosed for t in group))
        if tested:
            expected_gain = statistics.mean(t.post_test_avg - t.pre_test_avg for t in tested)
            assert got.gain == pytest.approx(expected_gain)
        else:
            assert got.gain is None


def test_report_pdf_states_the_consent_rule_and_its_counts(session, tmp_path):
    start, end = YEAR
    expected = independent_referrals(session, start, end)
    text = pdf_text(build_report(session, start, end, "", "en"), tmp_path)
    assert "Only referrals whose survivor (or caregiver) agreed to statistical reporting are counted" in text
    assert f"{expected['counted']:,} of the {expected['total']:,} referrals" in text
    assert f"{expected['total'] - expected['counted']:,} without that consent" in text
    for heading in ("Referrals by incident type", "Time from incident to report", "Referral services",
                    "Community alerts", "Trainings", "Participants by audience and sex"):
        assert heading in text


def test_french_report_uses_french_labels_and_number_format(session, tmp_path):
    start, end = YEAR
    text = pdf_text(build_report(session, start, end, "CD61", "fr"), tmp_path)
    assert "Viol" in text and "Prise en charge médicale" in text
    assert "Nord-Kivu" in text
    assert re.search(r"\d %", text)  # French puts a (narrow) space before the percent sign
    assert not re.search(r"\d %", pdf_text(build_report(session, start, end, "CD61", "en"), tmp_path))


def test_report_refuses_a_reversed_period_and_an_unknown_area(session):
    with pytest.raises(DocumentError):
        build_report(session, TODAY, TODAY - timedelta(days=1), "", "en")
    with pytest.raises(DocumentError, match="ZZ12"):
        build_report(session, TODAY - timedelta(days=1), TODAY, "ZZ12", "en")


@pytest.mark.parametrize("language", ["en", "fr", "en+fr"])
def test_every_page_of_the_report_reads_cleanly(session, tmp_path, language):
    """No label over another, no number or percent cut over two lines, nothing off the sheet, every
    font embedded, and every page renders as an image (what the preview shows)."""
    start, end = TODAY - timedelta(days=3 * 365), TODAY
    pdf = build_report(session, start, end, "", language)
    text = pdf_text(pdf, tmp_path)
    assert re.search(r"\b\d[ ,]\d{3}\b", text), "the figures should reach the thousands to test their spacing"
    assert overlapping_words(pdf, tmp_path) == []
    assert broken_numbers(pdf, tmp_path) == []
    assert words_off_the_page(pdf, tmp_path) == []
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and [name for name, embedded in fonts if not embedded] == []
    assert len(pdf_page_images(pdf, tmp_path / "png", language)) == pdf_pages(pdf, tmp_path)


def test_bilingual_column_headers_take_two_lines_at_most(session, tmp_path):
    start, end = YEAR
    words = pdf_words(build_report(session, start, end, "", "en+fr"), tmp_path)
    spans = []
    for english in (w for w in words if w.text == "Number"):
        column = [w for w in words if w.page == english.page and w.x0 < english.x1 and w.x1 > english.x0
                  and 0 <= w.y0 - english.y0 < 40]
        french = min((w for w in column if w.text == "Nombre"), key=lambda w: w.y0)
        spans.append(len({round(w.y0) for w in column if w.y0 <= french.y0}))
    assert spans, "the bilingual header Number / Nombre is not in the report"
    assert max(spans) <= 2, spans
