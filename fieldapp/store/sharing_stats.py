"""The SQL behind the information-sharing statistics (docs/DESIGN.md 9): consented referrals of a
period counted by month and by incident type, sex and age group, reporting delay, and the services
they were referred to by sector. Only referrals with `consent_reporting` are read; no office, user,
provider or place name is selected, so none can reach the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldapp.domain.derived import delay_bucket
from fieldapp.store.reports import DELAY_SQL, Period, add_count

# A service counts once the survivor was referred to it: not while pending, nor when she declined
# or it was cancelled before any referral.
NOT_REFERRED = ("pending", "declined", "cancelled")


@dataclass
class SharingFigures:
    """Counts keyed by (month "YYYY-MM", category code)."""

    by_type: dict[tuple[str, str], int] = field(default_factory=dict)
    by_sex_age: dict[tuple[str, tuple[str, str]], int] = field(default_factory=dict)
    by_delay: dict[tuple[str, str], int] = field(default_factory=dict)
    services_by_sector: dict[tuple[str, str], int] = field(default_factory=dict)
    counted: int = 0


def sharing_figures(connection, period: Period) -> SharingFigures:
    start, end = period.bounds()
    params = [start, end, period.pcode_glob]
    figures = SharingFigures()
    rows = connection.execute(
        f"SELECT substr(reported_at, 1, 7), incident_type, sex, age_group, {DELAY_SQL}, count(*) FROM referrals "
        "WHERE deleted = 0 AND consent_reporting = 1 AND reported_at >= ? AND reported_at < ? "
        "AND location_pcode GLOB ? GROUP BY 1, 2, 3, 4, 5", params)
    for month, incident_type, sex, age_group, delay_days, n in rows:
        figures.counted += n
        add_count(figures.by_type, (month, incident_type), n)
        add_count(figures.by_sex_age, (month, (sex, age_group)), n)
        add_count(figures.by_delay, (month, delay_bucket(delay_days) or "unknown"), n)
    placeholders = ", ".join("?" for _ in NOT_REFERRED)
    for month, sector, n in connection.execute(
            "SELECT substr(r.reported_at, 1, 7), s.sector, count(*) FROM referrals r CROSS JOIN referral_services s "
            "ON s.referral_id = r.id WHERE +s.deleted = 0 AND r.deleted = 0 AND r.consent_reporting = 1 "
            f"AND r.reported_at >= ? AND r.reported_at < ? AND r.location_pcode GLOB ? "
            f"AND s.status NOT IN ({placeholders}) GROUP BY 1, 2", [*params, *NOT_REFERRED]):
        add_count(figures.services_by_sector, (month, sector), n)
    return figures
