"""Store helpers for what leaves the vault: audit entries for exports and prints, and records (or
just their stored values) streamed in batches for spreadsheet exports. (The office contact printed
on sheets and slips is the session's: Session.office_contact.)"""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable, Iterator, Sequence

from fieldapp.store.convert import from_db
from fieldapp.store.db import transaction
from fieldapp.core.changes import ListQuery
from fieldapp.store.repositories import Repository

def log_output(session, action: str, record_type: str, record_id: str = "", detail: dict | None = None) -> None:
    """One audit entry ("export", "print") in its own transaction."""
    with transaction(session.connection):
        session.audit.append(session.user, action, record_type, record_id, detail or {})


def iter_records(repository: Repository, query: ListQuery | None = None, batch: int = 2000,
                 extra_condition: str = "", extra_params: tuple = ()) -> Iterator[list]:
    """The records matching `query`, one batch at a time (Repository.iter_batches)."""
    return repository.iter_batches(query, batch, extra_condition, extra_params)


def iter_stored_rows(repository: Repository, columns: Sequence[str], query: ListQuery | None = None,
                     batch: int = 2000, extra_condition: str = "", extra_params: tuple = ()) -> Iterator[list[tuple]]:
    """The stored values of `columns` of the records iter_records would yield, as tuples, one
    batch at a time (Repository.iter_row_batches)."""
    return repository.iter_row_batches(columns, query, batch, extra_condition, extra_params)


def stored_kinds(repository: Repository) -> dict[str, str]:
    """{column: how it is stored} (Repository.stored_columns)."""
    return dict(repository.stored_columns())


def reader_of(kind: str) -> tuple[Callable, object]:
    """(read, empty) for values stored as `kind`: `read` turns a stored value that is not None into
    what the record holds (a datetime, a date, a bool, a list), `empty` is what the record holds for
    None; exactly as the repository builds its records (store.convert.from_db)."""
    read = {"datetime": datetime.fromisoformat, "date": date.fromisoformat}.get(kind)
    return (read or (lambda value: from_db(kind, value))), from_db(kind, None)


def count_records(repository: Repository, query: ListQuery | None = None, extra_condition: str = "",
                  extra_params: tuple = ()) -> int:
    """How many records iter_records would yield."""
    return repository.count(query, extra_condition, extra_params)


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
