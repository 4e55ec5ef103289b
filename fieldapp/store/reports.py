"""The aggregate SQL behind the period report: referrals, services, alerts and trainings counted
for one period and area. Only referrals with consent to reporting are ever counted (docs/DESIGN.md 5).

Every figure is computed in SQL over the indexes, so a one-year report on 200 000 records stays a
matter of seconds and never loads the records themselves.
"""

from __future__ import annotations

import json
import re
from array import array
from dataclasses import dataclass, field
from datetime import date, timedelta

from fieldapp.domain.derived import PEP_WINDOW_HOURS, delay_bucket

# Girls / boys / women / men from sex and age group, as fieldapp.domain.derived.beneficiary_group.
GROUP_SQL = ("CASE WHEN sex = 'female' AND age_group IN ('0-11', '12-17') THEN 'girls' "
             "WHEN sex = 'male' AND age_group IN ('0-11', '12-17') THEN 'boys' "
             "WHEN sex = 'female' AND age_group IN ('18-59', '60+') THEN 'women' "
             "WHEN sex = 'male' AND age_group IN ('18-59', '60+') THEN 'men' ELSE 'unknown' END")
# Whole days from incident to report (UTC dates), as derived.reporting_delay_days; NULL if unknown.
DELAY_SQL = ("CASE WHEN incident_date IS NULL OR incident_date_precision = 'unknown' OR reported_at IS NULL "
             "THEN NULL ELSE max(0, CAST(julianday(substr(reported_at, 1, 10)) - julianday(incident_date) "
             "AS INTEGER)) END")
# Seconds from incident (midnight UTC of its date, as derived.urgency) to report, in whole seconds so
# that exactly 72 hours is within the window, as the domain says.
SECONDS_SQL = "(CAST(strftime('%s', reported_at) AS INTEGER) - CAST(strftime('%s', incident_date) AS INTEGER))"
PEP_SECONDS = PEP_WINDOW_HOURS * 3600


@dataclass(frozen=True)
class Period:
    """From and to dates, both inclusive, and an optional area (P-code and everything below it)."""

    date_from: date
    date_to: date
    pcode: str = ""

    def bounds(self) -> tuple[str, str]:
        return self.date_from.isoformat(), (self.date_to + timedelta(days=1)).isoformat()

    @property
    def pcode_glob(self) -> str:
        prefix = re.sub(r"[^A-Za-z0-9]", "", self.pcode or "").upper()
        return prefix + "*"


@dataclass
class ReferralFigures:
    total_in_period: int = 0          # every referral reported in the period, consented or not
    counted: int = 0                  # with consent_reporting: the only ones in any figure below
    by_incident_type: dict[str, int] = field(default_factory=dict)
    by_group: dict[str, int] = field(default_factory=dict)          # girls / boys / women / men / unknown
    by_sex_age: dict[tuple[str, str], int] = field(default_factory=dict)
    by_delay: dict[str, int] = field(default_factory=dict)          # DELAY_BUCKETS codes + 'unknown'
    known_incident_time: int = 0
    within_72h: int = 0
    crsv: int = 0
    services_by_sector_status: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def left_out(self) -> int:
        return self.total_in_period - self.counted

    @property
    def share_within_72h(self) -> float | None:
        return self.within_72h / self.known_incident_time if self.known_incident_time else None


@dataclass
class AlertFigures:
    received: int = 0
    responded: int = 0
    forwarded: int = 0
    median_minutes_to_forwarding: float | None = None
    median_minutes_to_response: float | None = None
    by_threat_type: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def share_responded(self) -> float | None:
        return self.responded / self.received if self.received else None


@dataclass
class AudienceFigures:
    sessions: int = 0
    female: int = 0
    male: int = 0
    undisclosed: int = 0
    pre_test_avg: float | None = None
    post_test_avg: float | None = None
    tested_sessions: int = 0  # sessions with both a pre- and a post-test average

    @property
    def participants(self) -> int:
        return self.female + self.male + self.undisclosed

    @property
    def gain(self) -> float | None:
        if self.pre_test_avg is None or self.post_test_avg is None:
            return None
        return self.post_test_avg - self.pre_test_avg


@dataclass
class TrainingFigures:
    by_audience: dict[str, AudienceFigures] = field(default_factory=dict)
    total: AudienceFigures = field(default_factory=AudienceFigures)


# Measured on a 200 000-record vault: a 30-day period (10 % of the rows) is four times faster
# through the index, a one-year one (56 %) faster read straight through.
SCAN_SHARE = 0.25


def _table_hint(connection, table: str, date_column: str, start: str, end: str) -> str:
    """NOT INDEXED when the period holds a large share of the table.

    Fetching most rows of a table through the date index jumps between pages at random, and every
    page SQLCipher reads is decrypted and checked: for a one-year report that was four times
    slower than reading the table straight through. A short period still uses the index.
    The count below reads the index only (it covers `deleted` and the date).
    """
    in_period = connection.execute(
        f"SELECT count(*) FROM {table} WHERE deleted = 0 AND {date_column} >= ? AND {date_column} < ?",
        (start, end)).fetchone()[0]
    size = connection.execute(f"SELECT coalesce(max(seq), 0) FROM {table}").fetchone()[0]
    return " NOT INDEXED" if size and in_period > size * SCAN_SHARE else ""


def referral_figures(connection, period: Period) -> ReferralFigures:
    start, end = period.bounds()
    params = [start, end, period.pcode_glob]
    hint = _table_hint(connection, "referrals", "reported_at", start, end)
    figures = ReferralFigures()
    # One pass over the period, grouped finely enough to derive every table of the report.
    rows = connection.execute(
        f"SELECT consent_reporting, crsv, incident_type, sex, age_group, {GROUP_SQL}, {DELAY_SQL}, "
        f"CASE WHEN incident_date IS NULL OR incident_date_precision = 'unknown' THEN NULL "
        f"ELSE {SECONDS_SQL} <= {PEP_SECONDS} END, count(*) FROM referrals{hint} "
        "WHERE deleted = 0 AND reported_at >= ? AND reported_at < ? AND location_pcode GLOB ? "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8", params)
    for consent, crsv, incident_type, sex, age_group, group, delay_days, within_72h, n in rows:
        figures.total_in_period += n
        if not consent:
            continue
        figures.counted += n
        figures.crsv += n if crsv else 0
        add_count(figures.by_incident_type, incident_type, n)
        add_count(figures.by_sex_age, (sex, age_group), n)
        add_count(figures.by_group, group, n)
        add_count(figures.by_delay, delay_bucket(delay_days) or "unknown", n)
        if within_72h is not None:
            figures.known_incident_time += n
            figures.within_72h += n if within_72h else 0
    if hint:
        # A long period holds most services: read them straight through, the set of counted
        # referral ids built once by SQLite (a bloom filter and a temp b-tree).
        services_sql = (
            "SELECT sector, status, count(*) FROM referral_services NOT INDEXED WHERE deleted = 0 AND referral_id IN "
            f"(SELECT id FROM referrals{hint} WHERE deleted = 0 AND consent_reporting = 1 AND reported_at >= ? "
            "AND reported_at < ? AND location_pcode GLOB ?) GROUP BY sector, status")
    else:
        # A short one: from each counted referral to its services through services_referral. CROSS
        # JOIN fixes that order, and "+s.deleted" keeps SQLite from scanning every service through
        # an index that starts with `deleted`.
        services_sql = (
            "SELECT s.sector, s.status, count(*) FROM referrals r CROSS JOIN referral_services s "
            "ON s.referral_id = r.id WHERE +s.deleted = 0 AND r.deleted = 0 AND r.consent_reporting = 1 "
            "AND r.reported_at >= ? AND r.reported_at < ? AND r.location_pcode GLOB ? GROUP BY 1, 2")
    for sector, status, n in connection.execute(services_sql, params):
        figures.services_by_sector_status[(sector, status)] = n
    return figures


def add_count(counts: dict, key, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


def _median(values: array) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def alert_figures(connection, period: Period) -> AlertFigures:
    start, end = period.bounds()
    hint = _table_hint(connection, "alerts", "received_at", start, end)
    figures = AlertFigures()
    to_forwarding, to_response = array("d"), array("d")
    threat_lists: dict[str, int] = {}
    # Streamed, not fetched: memory holds two arrays of minutes, never the alerts themselves.
    rows = connection.execute(
        "SELECT status, threat_types, (julianday(forwarded_at) - julianday(received_at)) * 1440, "
        f"(julianday(responded_at) - julianday(received_at)) * 1440 FROM alerts{hint} "
        "WHERE deleted = 0 AND received_at >= ? AND received_at < ? AND location_pcode GLOB ?",
        [start, end, period.pcode_glob])
    for status, threats, forwarding, response in rows:
        figures.received += 1
        add_count(figures.by_status, status, 1)
        add_count(threat_lists, threats, 1)
        if forwarding is not None:
            figures.forwarded += 1
            to_forwarding.append(forwarding)
        if response is not None:
            figures.responded += 1
            to_response.append(response)
    for threats, n in threat_lists.items():  # each distinct JSON list is parsed once
        for threat in json.loads(threats or "[]"):
            add_count(figures.by_threat_type, threat, n)
    figures.median_minutes_to_forwarding = _median(to_forwarding)
    figures.median_minutes_to_response = _median(to_response)
    return figures


def training_figures(connection, period: Period) -> TrainingFigures:
    start, end = period.bounds()
    scope = "deleted = 0 AND start_date >= ? AND start_date < ? AND location_pcode GLOB ?"
    params = [start, end, period.pcode_glob]
    columns = ("count(*), coalesce(sum(participants_female), 0), coalesce(sum(participants_male), 0), "
               "coalesce(sum(participants_undisclosed), 0), "
               "avg(CASE WHEN pre_test_avg IS NOT NULL AND post_test_avg IS NOT NULL THEN pre_test_avg END), "
               "avg(CASE WHEN pre_test_avg IS NOT NULL AND post_test_avg IS NOT NULL THEN post_test_avg END), "
               "coalesce(sum(pre_test_avg IS NOT NULL AND post_test_avg IS NOT NULL), 0)")
    figures = TrainingFigures()
    for audience, *values in connection.execute(
            f"SELECT audience, {columns} FROM trainings WHERE {scope} GROUP BY audience", params):
        figures.by_audience[audience] = AudienceFigures(*values)
    figures.total = AudienceFigures(*connection.execute(f"SELECT {columns} FROM trainings WHERE {scope}",
                                                        params).fetchone())
    return figures
