"""MARA on a vault of 100 000 CRSV incidents (docs/DESIGN.md 2.5-2.7), each operation beside the same
work done with bare sqlcipher3 in the same run: the Incidents list's first page (as the page opens,
and filtered by party and verification) and the quarterly report's figures for the last full
quarter and the one before it, every table of the report.

The baselines are the queries a developer would write by hand on the same indexes (the junction
tables of violations and parties included); the report's baseline also checks that its figures
are the app's.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, timedelta

from fieldapp.documents.common import Languages
from fieldapp.documents.mara_report import build_mara_pdf, build_sheets, previous_period
from fieldapp.domain.mara import Incident
from fieldapp.store.convert import column_kinds
from fieldapp.store.mara import IncidentRow
from fieldapp.core.changes import ListQuery

from timing import Row, alternate, seconds_text

INCIDENT_COLUMNS = ", ".join(name for name, _kind in column_kinds(Incident))
# What the Incidents list reads (store.mara.IncidentRow): the columns it shows.
ROW_COLUMNS = ", ".join(IncidentRow.COLUMNS)
PERIOD = "coalesce(occurred_on, learned_on)"
VICTIMS = ("count(*), total(victims_girls), total(victims_boys), total(victims_women), total(victims_men), "
           "total(victims_unknown)")


def last_full_quarter(today: date) -> tuple[date, date]:
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - timedelta(days=1)
    return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


def first_pages(session, bare, runs: int) -> list[Row]:
    # The list reads the columns it shows (list_rows, the rows its table model fetches by seq); the
    # baseline is the same SELECT of the same columns. The whole records of the same page are the
    # note: what the list read before (and the detail pane still reads, one record at a time).
    opened = Row("Incidents: first page (50) as the page opens, newest first",
                 baseline_label="the same SELECT of the shown columns … ORDER BY … LIMIT 50", limit=1.5)
    sql = f"SELECT {ROW_COLUMNS} FROM incidents WHERE deleted = 0 ORDER BY {PERIOD} DESC, seq DESC LIMIT 50"
    alternate(lambda: session.incidents.list_rows(ListQuery(sort="occurred_on", limit=50)),
              lambda: bare.execute(sql).fetchall(), runs, opened)
    records = Row("records")
    sql = f"SELECT {INCIDENT_COLUMNS} FROM incidents WHERE deleted = 0 ORDER BY {PERIOD} DESC, seq DESC LIMIT 50"
    alternate(lambda: session.incidents.list(ListQuery(sort="occurred_on", limit=50)),
              lambda: bare.execute(sql).fetchall(), runs, records)
    opened.note = (f"whole Incident records of the same page: {seconds_text(records.app_median)} against "
                   f"{seconds_text(records.baseline_median)} for their SELECT")
    # What the table model does as the page opens: the sorted seqs, then the rows around the top.
    seqs = session.incidents.list_seqs(ListQuery(sort="occurred_on"))[:100]
    fetched = Row("Incidents: the list's fetch of the 100 rows around the top (by seq)",
                  baseline_label="the same SELECT … WHERE seq IN (…)", limit=1.5)
    sql = f"SELECT {ROW_COLUMNS} FROM incidents WHERE seq IN ({', '.join('?' * len(seqs))})"
    alternate(lambda: session.incidents.rows_by_seq(seqs), lambda: bare.execute(sql, seqs).fetchall(), runs, fetched)
    fardc = next(p.id for p in session.parties.all() if p.short_name == "FARDC")
    filtered = Row("Incidents: first page (50) filtered by party (FARDC) and verification (verified)",
                   baseline_label="the same SELECT with the party index, LIMIT 50", limit=1.5)
    query = ListQuery(sort="occurred_on", filters={"party": fardc, "verification": "verified"}, limit=50)
    sql = (f"SELECT {ROW_COLUMNS} FROM incidents WHERE deleted = 0 AND verification = ? AND seq IN "
           f"(SELECT incident_seq FROM incident_parties WHERE party_id = ?) ORDER BY {PERIOD} DESC, seq DESC LIMIT 50")
    alternate(lambda: session.incidents.list_rows(query), lambda: bare.execute(sql, ("verified", fardc)).fetchall(),
              runs, filtered)
    count = session.incidents.count(ListQuery(filters={"party": fardc, "verification": "verified"}))
    filtered.note = f"{count} matching incidents"
    return [opened, fetched, filtered]


def _figures(bare, start: str, end: str) -> dict:
    """One period's figures of the report, in raw SQL."""
    scope = f"deleted = 0 AND {PERIOD} >= ? AND {PERIOD} < ?"
    shared = scope + " AND share_with_mara = 1"
    p = (start, end)
    found = {"in_period": bare.execute(f"SELECT count(*) FROM incidents WHERE {scope}", p).fetchone()[0],
             "total": bare.execute(f"SELECT {VICTIMS} FROM incidents WHERE {shared}", p).fetchone()}
    for name, sql in (
            ("violation", f"SELECT v.violation, {VICTIMS} FROM incident_violations v JOIN incidents ON "
                          f"seq = v.incident_seq WHERE {shared} GROUP BY v.violation"),
            ("party", f"SELECT x.party_id, {VICTIMS} FROM incident_parties x JOIN incidents ON seq = x.incident_seq "
                      f"WHERE {shared} GROUP BY x.party_id"),
            ("verified_party", f"SELECT x.party_id, {VICTIMS} FROM incident_parties x JOIN incidents ON "
                               f"seq = x.incident_seq WHERE {shared} AND verification = 'verified' GROUP BY x.party_id"),
            ("place", f"SELECT location_pcode, {VICTIMS} FROM incidents WHERE {shared} GROUP BY location_pcode"),
            ("month", f"SELECT substr({PERIOD}, 1, 7), {VICTIMS} FROM incidents WHERE {shared} GROUP BY 1"),
            ("verification", f"SELECT verification, {VICTIMS} FROM incidents WHERE {shared} GROUP BY verification")):
        found[name] = {key: tuple(int(v) for v in values) for key, *values in bare.execute(sql, p)}
    days = "CAST(julianday(learned_on) - julianday(occurred_on) AS INTEGER)"
    found["knowledge"] = dict(bare.execute(
        f"SELECT CASE WHEN occurred_on IS NULL OR learned_on IS NULL OR occurred_precision = 'unknown' THEN 'unknown' "
        f"WHEN {days} <= 3 THEN '0-3d' WHEN {days} <= 14 THEN '4-14d' WHEN {days} <= 30 THEN '15-30d' "
        f"WHEN {days} <= 90 THEN '31-90d' ELSE 'over-90d' END, count(*) FROM incidents WHERE {shared} GROUP BY 1",
        p).fetchall())
    return found


def report_baseline(bare, quarter: tuple[date, date], today: date) -> dict:
    """Both periods' figures, the areas rolled up to admin1 and admin2, and the commitments."""
    figures = {}
    for name, (first, last) in (("current", quarter), ("previous", previous_period(*quarter))):
        figures[name] = _figures(bare, first.isoformat(), (last + timedelta(days=1)).isoformat())
    parents = dict(bare.execute("SELECT pcode, parent_pcode FROM places").fetchall())
    levels = dict(bare.execute("SELECT pcode, level FROM places").fetchall())
    for name in ("current", "previous"):
        for level in (1, 2):
            rolled: dict[str, int] = defaultdict(int)
            for pcode, values in figures[name]["place"].items():
                code = pcode
                while code and levels.get(code, level) > level:
                    code = parents.get(code)
                rolled[code if code and levels.get(code) == level else ""] += values[0]
            figures[name][f"admin{level}"] = dict(rolled)
    figures["commitments"] = bare.execute(
        "SELECT c.id, x.status, count(*), total(x.status IN ('not_started', 'in_progress') AND x.due_on < ?) "
        "FROM commitments c JOIN commitment_items x ON x.commitment_id = c.id AND x.deleted = 0 "
        "WHERE c.deleted = 0 GROUP BY c.id, x.status", (today.isoformat(),)).fetchall()
    figures["parties"] = bare.execute("SELECT id, name, short_name, listed_since FROM parties").fetchall()
    return figures


def quarterly_report(session, bare, runs: int) -> list[Row]:
    today = date.today()
    quarter = last_full_quarter(today)
    row = Row(f"MARA quarterly report, every table ({quarter[0]:%Y-%m} to {quarter[1]:%Y-%m}, beside the quarter "
              "before), all areas", baseline_label="the same aggregates in raw SQL", limit=1.5)
    languages = Languages("en")
    alternate(lambda: build_sheets(session, *quarter, "", languages, today),
              lambda: report_baseline(bare, quarter, today), runs, row)
    _sheets, current, previous = build_sheets(session, *quarter, "", languages, today)
    expected = report_baseline(bare, quarter, today)
    same = all(
        (got.total_in_period == want["in_period"]
         and (got.total.incidents, got.total.victims) == (want["total"][0], sum(int(v) for v in want["total"][1:]))
         and {k: r.incidents for k, r in got.by_party.items()} == {k: v[0] for k, v in want["party"].items()}
         and {k: r.incidents for k, r in got.by_violation.items()} == {k: v[0] for k, v in want["violation"].items()}
         and got.by_knowledge == want["knowledge"])
        for got, want in ((current, expected["current"]), (previous, expected["previous"])))
    started = time.perf_counter()
    pdf = build_mara_pdf(session, *quarter, "", "en+fr")
    pdf_seconds = time.perf_counter() - started
    row.note = (f"{current.total_in_period} incidents in the quarter, {previous.total_in_period} in the one before; "
                f"the whole en+fr PDF: {pdf_seconds:.1f} s, {len(pdf) // 1024} KiB"
                + ("" if same else "; WARNING: the baseline's figures differ from the app's"))
    return [row]
