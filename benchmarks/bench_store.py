"""Store operations on the 200 000-record vault, each beside the same work done with bare sqlcipher3:
bulk insert, one save with its audit entry, the first page of a sorted and filtered list, the
full sorted key list a GUI table holds, a full-text search, and the period report's figures.

The baselines run on a second connection to the same database file, keyed with the same key
(opened from the recovery slot with bare pyrage), with the same journal and sync settings.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta, timezone

from fieldapp.demo import DemoData
from fieldapp.domain.records import Referral
from fieldapp.store.convert import column_kinds, record_values
from fieldapp.store.reports import Period, alert_figures, referral_figures, training_figures
from fieldapp.core.changes import ListQuery

from timing import Row, alternate, timed

BULK = 20_000
REFERRAL_COLUMNS = [name for name, _kind in column_kinds(Referral)]
SELECT_REFERRALS = f"SELECT {', '.join(REFERRAL_COLUMNS)} FROM referrals"
INSERT_REFERRAL = (f"INSERT INTO referrals ({', '.join(REFERRAL_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(REFERRAL_COLUMNS))})")


def _stamped_rows(session, records: list[Referral]) -> list[list]:
    """The rows the baseline inserts: what the repository would write for the same records."""
    now = datetime.now(timezone.utc)
    rows = []
    for record in records:
        record.created_at = record.updated_at = now
        record.hlc, record.origin_site, record.created_by = session.clock.now(), session.site_id, session.user
        rows.append(record_values(record))
    return rows


def bulk_insert(session, bare, runs: int) -> Row:
    row = Row("Bulk insert of 20 000 referrals (validated, one audit entry)",
              baseline_label="executemany of the same rows, one transaction", limit=2.0)
    batches = iter(range(1, 100))

    def generated() -> list[Referral]:
        # Each batch its own office code, so survivor codes never clash with the vault's or each other's.
        number = next(batches)
        data = DemoData(f"B{number:02d}", datetime.now(timezone.utc), seed=number)
        return [data.referral(3 * 365) for _ in range(BULK)]

    for _ in range(runs):
        records = generated()
        row.app.append(timed(lambda: session.referrals.bulk_create(records))[0])
        rows = _stamped_rows(session, generated())

        def baseline() -> None:
            bare.execute("BEGIN IMMEDIATE")
            bare.executemany(INSERT_REFERRAL, rows)
            bare.execute("COMMIT")

        row.baseline.append(timed(baseline)[0])
    unchecked = []
    for _ in range(max(1, runs // 2)):
        records = generated()
        unchecked.append(timed(lambda: session.referrals.bulk_create(records, check=False))[0])
    row.note = f"without validation (demo data): {statistics.median(unchecked):.2f} s"
    return row


def single_save(session, bare, runs: int, office: str = "S01") -> Row:
    row = Row("Save one referral (validated, audited, synchronous=FULL)",
              baseline_label="one INSERT in its own transaction", limit=3.0, ceiling=0.020)
    data = DemoData(office, datetime.now(timezone.utc), seed=11)
    spare = _stamped_rows(session, [data.referral(30) for _ in range(runs)])
    for index in range(runs):
        record = data.referral(30)
        row.app.append(timed(lambda: session.referrals.create(record))[0])

        def baseline() -> None:
            bare.execute("BEGIN IMMEDIATE")
            bare.execute(INSERT_REFERRAL, spare[index])
            bare.execute("COMMIT")

        row.baseline.append(timed(baseline)[0])
    return row


def first_page(session, bare, runs: int) -> list[Row]:
    rows = []
    page = Row("First page (50) of referrals, filtered by status and type, newest first",
               baseline_label="the same SELECT … LIMIT 50", limit=1.5)
    query = ListQuery(filters={"status": "open", "incident_type": "rape"}, sort="reported_at", limit=50)
    sql = (f"{SELECT_REFERRALS} WHERE deleted = 0 AND status = ? AND incident_type = ? "
           "ORDER BY reported_at DESC, seq DESC LIMIT 50")
    alternate(lambda: session.referrals.list(query), lambda: bare.execute(sql, ("open", "rape")).fetchall(),
              runs, page)
    rows.append(page)

    keys = Row("All 200 000 referral keys in date order (what a GUI list holds)",
               baseline_label="SELECT seq … ORDER BY, no LIMIT", limit=1.5)
    alternate(lambda: session.referrals.list_seqs(ListQuery(sort="reported_at")),
              lambda: bare.execute("SELECT seq FROM referrals WHERE deleted = 0 "
                                   "ORDER BY reported_at DESC, seq DESC").fetchall(), max(3, runs // 4), keys)
    rows.append(keys)
    return rows


def search(session, bare, runs: int) -> Row:
    row = Row("Full-text search “Oicha”: first page of 50 and the count",
              baseline_label="the same FTS5 MATCH query and count", limit=1.5)
    query = ListQuery(search="Oicha", sort="reported_at", limit=50)
    match = '"Oicha"*'
    where = "WHERE deleted = 0 AND seq IN (SELECT rowid FROM referrals_fts WHERE referrals_fts MATCH ?)"

    def app():
        return session.referrals.list(query), session.referrals.count(ListQuery(search="Oicha"))

    def baseline():
        return (bare.execute(f"{SELECT_REFERRALS} {where} ORDER BY reported_at DESC, seq DESC LIMIT 50",
                             (match,)).fetchall(),
                bare.execute(f"SELECT count(*) FROM referrals {where}", (match,)).fetchone()[0])

    alternate(app, baseline, runs, row)
    found, count = app()
    row.note = f"{count} matches"
    return row


# -- the period report ---------------------------------------------------------------------------
def report_baseline(bare, start: str, end: str) -> dict:
    """The report's figures for all areas, written directly in SQL as a developer would."""
    scope = "deleted = 0 AND reported_at >= ? AND reported_at < ?"
    counted = scope + " AND consent_reporting = 1"
    p = (start, end)
    figures = {"totals": bare.execute(f"SELECT count(*), total(consent_reporting), total(consent_reporting * crsv) "
                                      f"FROM referrals WHERE {scope}", p).fetchone()}
    figures["by_type"] = dict(bare.execute(f"SELECT incident_type, count(*) FROM referrals WHERE {counted} "
                                           "GROUP BY incident_type", p).fetchall())
    figures["by_sex_age"] = bare.execute(f"SELECT sex, age_group, count(*) FROM referrals WHERE {counted} "
                                         "GROUP BY sex, age_group", p).fetchall()
    days = "julianday(substr(reported_at, 1, 10)) - julianday(incident_date)"
    figures["by_delay"] = dict(bare.execute(
        f"SELECT CASE WHEN incident_date IS NULL OR incident_date_precision = 'unknown' THEN 'unknown' "
        f"WHEN {days} <= 3 THEN '0-3d' WHEN {days} <= 5 THEN '4-5d' WHEN {days} <= 14 THEN '6-14d' "
        f"WHEN {days} <= 30 THEN '15d-1m' ELSE 'over-1m' END AS bucket, count(*) FROM referrals "
        f"WHERE {counted} GROUP BY bucket", p).fetchall())
    figures["within_72h"] = bare.execute(
        f"SELECT count(*), total((julianday(reported_at) - julianday(incident_date)) * 24 <= 72) FROM referrals "
        f"WHERE {counted} AND incident_date IS NOT NULL AND incident_date_precision != 'unknown'", p).fetchone()
    figures["services"] = bare.execute(
        f"SELECT sector, status, count(*) FROM referral_services WHERE deleted = 0 AND referral_id IN "
        f"(SELECT id FROM referrals WHERE {counted}) GROUP BY sector, status", p).fetchall()
    alerts = "deleted = 0 AND received_at >= ? AND received_at < ?"
    figures["alerts"] = bare.execute(f"SELECT count(*), count(responded_at), count(forwarded_at) FROM alerts "
                                     f"WHERE {alerts}", p).fetchone()
    for column in ("forwarded_at", "responded_at"):
        minutes = [m for (m,) in bare.execute(f"SELECT (julianday({column}) - julianday(received_at)) * 1440 AS m "
                                              f"FROM alerts WHERE {alerts} AND {column} IS NOT NULL ORDER BY m", p)]
        figures[f"median_{column}"] = statistics.median(minutes) if minutes else None
    figures["threats"] = dict(bare.execute(f"SELECT t.value, count(*) FROM alerts, json_each(alerts.threat_types) t "
                                           f"WHERE {alerts} GROUP BY t.value", p).fetchall())
    figures["alert_status"] = dict(bare.execute(f"SELECT status, count(*) FROM alerts WHERE {alerts} "
                                                "GROUP BY status", p).fetchall())
    trainings = "deleted = 0 AND start_date >= ? AND start_date < ?"
    both = "pre_test_avg IS NOT NULL AND post_test_avg IS NOT NULL"
    columns = (f"count(*), total(participants_female), total(participants_male), total(participants_undisclosed), "
               f"avg(CASE WHEN {both} THEN pre_test_avg END), avg(CASE WHEN {both} THEN post_test_avg END)")
    figures["audiences"] = bare.execute(f"SELECT audience, {columns} FROM trainings WHERE {trainings} "
                                        "GROUP BY audience", p).fetchall()
    figures["trainings"] = bare.execute(f"SELECT {columns} FROM trainings WHERE {trainings}", p).fetchone()
    return figures


def period_report(session, bare, runs: int) -> Row:
    row = Row("Period report figures, one year, all areas", baseline_label="the same aggregates in raw SQL",
              limit=1.5)
    today = date.today()
    period = Period(today - timedelta(days=365), today)
    start, end = period.bounds()

    def app():
        connection = session.connection
        return (referral_figures(connection, period), alert_figures(connection, period),
                training_figures(connection, period))

    alternate(app, lambda: report_baseline(bare, start, end), runs, row)
    referrals, alerts, _trainings = app()
    expected = report_baseline(bare, start, end)
    same = (referrals.counted == expected["totals"][1] and referrals.by_incident_type == expected["by_type"]
            and alerts.received == expected["alerts"][0] and alerts.by_threat_type == expected["threats"])
    row.note = (f"{referrals.counted} referrals, {alerts.received} alerts counted"
                + ("" if same else "; WARNING: the baseline's figures differ from the app's"))
    return row
