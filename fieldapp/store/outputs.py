"""Store helpers for what leaves the vault: audit entries for exports and prints, records streamed
in batches for spreadsheet exports, and the office contact printed on sheets and slips."""

from __future__ import annotations

from typing import Iterator

from fieldapp.store.db import transaction
from fieldapp.store.repositories import ListQuery, Repository

OFFICE_CONTACT_KEY = "office_contact"


def log_output(session, action: str, record_type: str, record_id: str = "", detail: dict | None = None) -> None:
    """One audit entry ("export", "print") in its own transaction."""
    with transaction(session.connection):
        session.audit.append(session.user, action, record_type, record_id, detail or {})


def iter_records(repository: Repository, query: ListQuery | None = None, batch: int = 2000,
                 extra_condition: str = "", extra_params: tuple = ()) -> Iterator[list]:
    """The records matching `query`, in storage order, one batch (list) at a time.

    Keyset paging on `seq` keeps each batch one index range scan, so the thousandth batch costs what
    the first did and memory holds one batch, whatever the table size. `extra_condition` is a fixed
    SQL fragment from this package (never user text) with `?` placeholders for `extra_params`.
    """
    query = query or ListQuery()
    where, params = repository._where(query)
    clauses = [where[len(" WHERE "):]] if where else []
    if extra_condition:
        clauses.append(f"({extra_condition})")
        params = [*params, *extra_params]
    clauses.append("seq > ?")
    # NOT INDEXED: walk the table in seq order and stop at `batch` matches. Through a date index
    # SQLite would instead collect and sort every match of the period again for each batch.
    table = repository.TABLE
    select = repository._select[len("SELECT "):].replace(f" FROM {table}", f" FROM {table} NOT INDEXED")
    sql = f"SELECT seq, {select} WHERE {' AND '.join(clauses)} ORDER BY seq LIMIT ?"
    last_seq = 0
    connection = repository._db
    while True:
        rows = connection.execute(sql, [*params, last_seq, batch]).fetchall()
        if not rows:
            return
        last_seq = rows[-1][0]
        yield [repository._to_record(row[1:]) for row in rows]
        if len(rows) < batch:
            return


def count_records(repository: Repository, query: ListQuery | None = None, extra_condition: str = "",
                  extra_params: tuple = ()) -> int:
    """How many records iter_records would yield."""
    where, params = repository._where(query or ListQuery())
    if extra_condition:
        where = (where + " AND " if where else " WHERE ") + f"({extra_condition})"
        params = [*params, *extra_params]
    return repository._db.execute(f"SELECT count(*) FROM {repository.TABLE}{where}", params).fetchone()[0]


# Services exported with their referral must respect the referral's consent to reporting.
# Correlated, so each batch looks up its own referrals; an "IN (SELECT …)" list would be rebuilt
# from every referral of the vault for each batch.
CONSENTED_SERVICE = ("EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_services.referral_id "
                     "AND r.deleted = 0 AND r.consent_reporting = 1)")
CONSENTED_REFERRAL = "consent_reporting = 1"
# Incidents shared with the MARA reporting, the only ones an export holds; items of live commitments.
SHARED_INCIDENT = "share_with_mara = 1"
LIVE_COMMITMENT_ITEM = ("EXISTS (SELECT 1 FROM commitments c WHERE c.id = commitment_items.commitment_id "
                        "AND c.deleted = 0)")


def iter_places(session, batch: int = 2000) -> Iterator[list]:
    """Every place of the gazetteer, shallowest level first, in batches."""
    offset = 0
    while True:
        places = session.places.list(limit=batch, offset=offset)
        if not places:
            return
        yield places
        offset += len(places)


def office_contact(session) -> str:
    row = session.connection.execute("SELECT value FROM meta WHERE key = ?", (OFFICE_CONTACT_KEY,)).fetchone()
    return row[0] if row else ""


def set_office_contact(session, text: str) -> None:
    """The office's own contact (phone, address) printed on sheets and slips; audited when it changes."""
    text = text.strip()
    if text == office_contact(session):
        return
    with transaction(session.connection):
        session.connection.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (OFFICE_CONTACT_KEY, text))
        session.audit.append(session.user, "update", "office_contact", "", {"fields": ["office_contact"]})
