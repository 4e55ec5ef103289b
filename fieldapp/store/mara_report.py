"""The aggregate SQL behind the MARA quarterly report (docs/DESIGN.md 2.7): incidents and victims by
violation type, party, area and month, verification status, time to knowledge, parties with
verified incidents, and commitments with their items. Only incidents with `share_with_mara` are
counted; the others are counted once, to say how many were left out.

The period of an incident is the day it happened, or the day the office learned of it when that
is unknown (the `incidents_period` index).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from fieldapp.domain.mara import OPEN_ITEM_STATUSES
from fieldapp.store.reports import Period

PERIOD_SQL = "coalesce(i.occurred_on, i.learned_on)"
VICTIMS_SQL = ("count(*), coalesce(sum(i.victims_girls), 0), coalesce(sum(i.victims_boys), 0), "
               "coalesce(sum(i.victims_women), 0), coalesce(sum(i.victims_men), 0), "
               "coalesce(sum(i.victims_unknown), 0)")
# Whole days from occurrence to knowledge, as fieldapp.domain.mara.days_to_knowledge; NULL if unknown.
DAYS_SQL = ("CASE WHEN i.occurred_on IS NULL OR i.learned_on IS NULL OR i.occurred_precision = 'unknown' THEN NULL "
            "ELSE max(0, CAST(julianday(i.learned_on) - julianday(i.occurred_on) AS INTEGER)) END")
KNOWLEDGE_SQL = (f"CASE WHEN ({DAYS_SQL}) IS NULL THEN 'unknown' WHEN ({DAYS_SQL}) <= 3 THEN '0-3d' "
                 f"WHEN ({DAYS_SQL}) <= 14 THEN '4-14d' WHEN ({DAYS_SQL}) <= 30 THEN '15-30d' "
                 f"WHEN ({DAYS_SQL}) <= 90 THEN '31-90d' ELSE 'over-90d' END")


@dataclass
class Row:
    """Incidents and their victims, by group."""

    incidents: int = 0
    girls: int = 0
    boys: int = 0
    women: int = 0
    men: int = 0
    unknown: int = 0

    @property
    def victims(self) -> int:
        return self.girls + self.boys + self.women + self.men + self.unknown

    def add(self, other: "Row") -> None:
        for name in ("incidents", "girls", "boys", "women", "men", "unknown"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class CommitmentStatus:
    commitment_id: str
    party_id: str
    kind: str
    title: str
    signed_on: date | None
    items_by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def items(self) -> int:
        return sum(self.items_by_status.values())


@dataclass
class MaraFigures:
    period: Period
    total_in_period: int = 0          # every live incident of the period and area
    total: Row = field(default_factory=Row)  # those shared with MARA: the only ones in any figure
    by_violation: dict[str, Row] = field(default_factory=dict)
    by_party: dict[str, Row] = field(default_factory=dict)       # party id or 'unidentified'
    by_location: dict[str, Row] = field(default_factory=dict)    # the incidents' own P-codes
    by_month: dict[str, Row] = field(default_factory=dict)       # YYYY-MM
    by_verification: dict[str, Row] = field(default_factory=dict)
    by_knowledge: dict[str, int] = field(default_factory=dict)   # KNOWLEDGE_BUCKETS codes + 'unknown'
    verified_by_party: dict[str, Row] = field(default_factory=dict)

    @property
    def left_out(self) -> int:
        return self.total_in_period - self.total.incidents


def _where(period: Period) -> tuple[str, list]:
    start, end = period.bounds()
    clauses = ["i.deleted = 0", f"{PERIOD_SQL} >= ?", f"{PERIOD_SQL} < ?"]
    params: list = [start, end]
    if re.sub(r"[^A-Za-z0-9]", "", period.pcode or ""):
        clauses.append("i.location_pcode GLOB ?")
        params.append(period.pcode_glob)
    return " WHERE " + " AND ".join(clauses), params


def _rows(db, sql: str, params: list) -> dict[str, Row]:
    return {key: Row(*values) for key, *values in db.execute(sql, params)}


def mara_figures(db, period: Period) -> MaraFigures:
    where, params = _where(period)
    shared = f"{where} AND i.share_with_mara = 1"
    figures = MaraFigures(period)
    figures.total_in_period = db.execute(f"SELECT count(*) FROM incidents i{where}", params).fetchone()[0]
    figures.total = Row(*db.execute(f"SELECT {VICTIMS_SQL} FROM incidents i{shared}", params).fetchone())
    figures.by_violation = _rows(db, f"SELECT v.violation, {VICTIMS_SQL} FROM incidents i JOIN incident_violations v "
                                     f"ON v.incident_seq = i.seq{shared} GROUP BY v.violation", params)
    figures.by_party = _rows(db, f"SELECT p.party_id, {VICTIMS_SQL} FROM incidents i JOIN incident_parties p "
                                 f"ON p.incident_seq = i.seq{shared} GROUP BY p.party_id", params)
    figures.verified_by_party = _rows(db, f"SELECT p.party_id, {VICTIMS_SQL} FROM incidents i JOIN incident_parties p "
                                          f"ON p.incident_seq = i.seq{shared} AND i.verification = 'verified' "
                                          "GROUP BY p.party_id", params)
    figures.by_location = _rows(db, f"SELECT i.location_pcode, {VICTIMS_SQL} FROM incidents i{shared} "
                                    "GROUP BY i.location_pcode", params)
    figures.by_month = _rows(db, f"SELECT substr({PERIOD_SQL}, 1, 7), {VICTIMS_SQL} FROM incidents i{shared} "
                                 "GROUP BY 1", params)
    figures.by_verification = _rows(db, f"SELECT i.verification, {VICTIMS_SQL} FROM incidents i{shared} "
                                        "GROUP BY i.verification", params)
    figures.by_knowledge = dict(db.execute(f"SELECT {KNOWLEDGE_SQL}, count(*) FROM incidents i{shared} GROUP BY 1",
                                           params).fetchall())
    return figures


def ancestors_at(db, pcodes: list[str], level: int) -> dict[str, str]:
    """{pcode: its ancestor (or itself) at `level`}, '' when it has none there (deeper than the place)."""
    found: dict[str, str] = {}
    for pcode in pcodes:
        rows = db.execute(
            "WITH RECURSIVE up(pcode, depth) AS (SELECT ?, 0 UNION ALL "
            "SELECT p.parent_pcode, up.depth + 1 FROM places p JOIN up ON p.pcode = up.pcode "
            "WHERE p.parent_pcode IS NOT NULL AND up.depth < 10) "
            "SELECT p.pcode FROM up JOIN places p ON p.pcode = up.pcode WHERE p.level = ?", (pcode, level)).fetchall()
        found[pcode] = rows[0][0] if rows else ""
    return found


def commitment_statuses(db, today: date) -> list[CommitmentStatus]:
    """Every live commitment with the count of its items by status and of those overdue on `today`."""
    commitments = [CommitmentStatus(*row) for row in db.execute(
        "SELECT c.id, c.party_id, c.kind, c.title, c.signed_on FROM commitments c WHERE c.deleted = 0 "
        "ORDER BY c.signed_on, c.title")]
    by_id = {c.commitment_id: c for c in commitments}
    for c in commitments:
        c.signed_on = date.fromisoformat(c.signed_on) if c.signed_on else None
    for commitment_id, status, count, overdue in db.execute(
            "SELECT x.commitment_id, x.status, count(*), sum(CASE WHEN x.status IN "
            f"({', '.join('?' * len(OPEN_ITEM_STATUSES))}) "
            "AND x.due_on IS NOT NULL AND x.due_on < ? THEN 1 ELSE 0 END) FROM commitment_items x "
            "JOIN commitments c ON c.id = x.commitment_id AND c.deleted = 0 WHERE x.deleted = 0 "
            "GROUP BY x.commitment_id, x.status", (*OPEN_ITEM_STATUSES, today.isoformat())):
        by_id[commitment_id].items_by_status[status] = count
        by_id[commitment_id].overdue += overdue
    return commitments
