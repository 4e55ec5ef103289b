"""Repositories: create, update, tombstone, get, count and list records, with paging, sorting,
filters and full-text search done in SQL so lists stay fast at 200 000 records.

Every change is validated, stamped with the hybrid logical clock and written to the audit log in
the same transaction, and returns a `Change` summary the GUI uses to decide what to refresh.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, Iterable, Iterator, Sequence, TypeVar

from fieldapp.core.changes import Change, ListQuery
from fieldapp.domain import services as service_rules
from fieldapp.domain.records import Alert, Provider, Record, Referral, ReferralService, Training, utc_now
from fieldapp.domain.validation import validate
from fieldapp.errors import NotFound, ValidationError
from fieldapp.i18n import _
from fieldapp.store.convert import column_kinds, record_to_row, record_values, values_to_record
from fieldapp.store.db import transaction
from fieldapp.store.meta import set_meta

R = TypeVar("R", bound=Record)


@dataclass
class Writer:
    """What every write needs: the connection, who writes, from which site, and the clock."""

    connection: object
    user: str
    site_id: str
    clock: object  # fieldapp.core.hlc.HybridClock
    audit: object  # fieldapp.store.audit.AuditLog

    def persist_clock(self) -> None:
        set_meta(self.connection, "hlc_last", self.clock.last)


def fts_query(text: str) -> str:
    """User text to a safe FTS5 query: every word must match, as a prefix (search as you type)."""
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    return " ".join(f'"{word}"*' for word in words)


class Repository(Generic[R]):
    TABLE = ""
    RECORD: type[R]
    FTS: str | None = None
    DATE_COLUMN: str | None = None
    DEFAULT_SORT = "updated_at"
    # Sort keys the lists offer; anything else is refused (no user text ever reaches ORDER BY).
    SORTS: dict[str, str] = {}
    # Filter name -> SQL condition with one `?`.
    FILTERS: dict[str, str] = {}
    # What a list shows of a record: a convert.light_row type of the columns it shows, `seq`
    # first. None: lists hold the whole record.
    ROW: type | None = None

    def __init__(self, writer: Writer):
        self._writer = writer
        self._db = writer.connection
        self._columns = [name for name, _kind in column_kinds(self.RECORD)]
        self._insert_sql = (f"INSERT INTO {self.TABLE} ({', '.join(self._columns)}) "
                            f"VALUES ({', '.join('?' * len(self._columns))})")
        self._select = f"SELECT {', '.join(self._columns)} FROM {self.TABLE}"
        if self.ROW is not None:
            self._row_select = f"SELECT {', '.join(self.ROW.COLUMNS)} FROM {self.TABLE}"

    # -- reading -------------------------------------------------------------------------------
    def _to_record(self, row) -> R:
        return values_to_record(self.RECORD, row)

    def get(self, record_id: str, include_deleted: bool = False) -> R:
        row = self._db.execute(f"{self._select} WHERE id = ?", (record_id,)).fetchone()
        if row is None or (row[self._columns.index("deleted")] and not include_deleted):
            raise NotFound(_("No record with id {id}.").format(id=record_id))
        return self._to_record(row)

    def find(self, record_id: str) -> R | None:
        row = self._db.execute(f"{self._select} WHERE id = ?", (record_id,)).fetchone()
        return self._to_record(row) if row else None

    def get_many(self, ids: list[str]) -> dict[str, R]:
        """Rows for a visible range of a list, in one query per 500 ids."""
        found: dict[str, R] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = self._db.execute(
                f"{self._select} WHERE id IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
            for row in rows:
                record = self._to_record(row)
                found[record.id] = record
        return found

    def _where(self, query: ListQuery) -> tuple[str, list]:
        clauses, params = [], []
        if not query.include_deleted:
            clauses.append("deleted = 0")
        if query.search.strip() and self.FTS:
            match = fts_query(query.search)
            if match:
                clauses.append(f"seq IN (SELECT rowid FROM {self.FTS} WHERE {self.FTS} MATCH ?)")
                params.append(match)
        if self.DATE_COLUMN and query.date_from:
            clauses.append(f"{self.DATE_COLUMN} >= ?")
            params.append(query.date_from.isoformat())
        if self.DATE_COLUMN and query.date_to:
            # Dates and UTC date-times both sort as text; "< next day" includes the whole last day.
            clauses.append(f"{self.DATE_COLUMN} < ?")
            params.append(date.fromordinal(query.date_to.toordinal() + 1).isoformat())
        prefix = re.sub(r"[^A-Za-z0-9]", "", query.pcode_prefix or "")
        if prefix:
            # GLOB is case-sensitive, so it can use the (deleted, location_pcode, …) index.
            clauses.append("location_pcode GLOB ?")
            params.append(prefix.upper() + "*")
        for name, value in query.filters.items():
            if value in (None, "", [], ()):
                continue
            if name not in self.FILTERS:
                raise ValueError(f"unknown filter {name!r} for {self.TABLE}")
            condition = self.FILTERS[name]
            if isinstance(value, (list, tuple, set)):
                values = list(value)
                clauses.append("(" + " OR ".join([condition] * len(values)) + ")")
                params.extend(self._filter_value(v) for v in values)
            else:
                clauses.append(condition)
                params.append(self._filter_value(value))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    @staticmethod
    def _filter_value(value):
        return int(value) if isinstance(value, bool) else value

    def _order(self, query: ListQuery) -> str:
        key = query.sort or self.DEFAULT_SORT
        column = self.SORTS.get(key)
        if column is None:
            raise ValueError(f"cannot sort {self.TABLE} by {key!r}")
        direction = "DESC" if query.descending else "ASC"
        return f" ORDER BY {column} {direction}, seq {direction}"

    def _paging(self, query: ListQuery) -> tuple[str, list]:
        if query.limit is None:
            return "", []
        # Written as integers, not bound: this SQLite is built with STAT4, and a statement with a
        # bound LIMIT ran 3x slower than the same one with the number in it (an Incidents page of
        # 50 over 100 000: 0.5 ms against 0.15 ms, same plan; docs/PERFORMANCE.md, MARA). int()
        # leaves nothing but digits and a sign to reach the SQL.
        return f" LIMIT {int(query.limit)} OFFSET {int(query.offset)}", []

    def list(self, query: ListQuery | None = None) -> list[R]:
        query = query or ListQuery()
        where, params = self._where(query)
        paging, paging_params = self._paging(query)
        rows = self._db.execute(f"{self._select}{where}{self._order(query)}{paging}", params + paging_params)
        return [self._to_record(row) for row in rows]

    def list_ids(self, query: ListQuery | None = None) -> list[str]:
        """The ordered ids of a whole list: what a table model holds."""
        query = query or ListQuery()
        where, params = self._where(query)
        paging, paging_params = self._paging(query)
        rows = self._db.execute(f"SELECT id FROM {self.TABLE}{where}{self._order(query)}{paging}",
                                params + paging_params)
        return [row[0] for row in rows]

    def list_seqs(self, query: ListQuery | None = None) -> list[int]:
        """The ordered row numbers (`seq`) of a whole list, for GUI table models. At 200 000 rows
        this is several times faster than list_ids: the sort indexes hold `seq`, so SQLite never
        reads the table itself."""
        query = query or ListQuery()
        where, params = self._where(query)
        paging, paging_params = self._paging(query)
        rows = self._db.execute(f"SELECT seq FROM {self.TABLE}{where}{self._order(query)}{paging}",
                                params + paging_params)
        return [row[0] for row in rows]

    def get_many_by_seq(self, seqs: list[int]) -> dict[int, R]:
        """Records of a visible range of a list_seqs list, keyed by seq."""
        found: dict[int, R] = {}
        for start in range(0, len(seqs), 500):
            chunk = seqs[start:start + 500]
            rows = self._db.execute(
                f"SELECT seq, {', '.join(self._columns)} FROM {self.TABLE} "
                f"WHERE seq IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
            for row in rows:
                found[row[0]] = self._to_record(row[1:])
        return found

    def list_rows(self, query: ListQuery | None = None) -> list:
        """A page of what the list shows (ROW, or whole records when the type has none)."""
        if self.ROW is None:
            return self.list(query)
        query = query or ListQuery()
        where, params = self._where(query)
        paging, paging_params = self._paging(query)
        rows = self._db.execute(f"{self._row_select}{where}{self._order(query)}{paging}", params + paging_params)
        return list(map(self.ROW, rows))

    def rows_by_seq(self, seqs: list[int]) -> dict[int, object]:
        """What the list shows of a visible range of a list_seqs list, keyed by seq: the table
        models' fetch (ROW, or whole records when the type has none)."""
        if self.ROW is None:
            return self.get_many_by_seq(seqs)
        found, make = {}, self.ROW
        for start in range(0, len(seqs), 500):
            chunk = seqs[start:start + 500]
            for row in self._db.execute(f"{self._row_select} WHERE seq IN ({', '.join('?' * len(chunk))})", chunk):
                found[row[0]] = make(row)
        return found

    def seq_of(self, record_id: str) -> int | None:
        row = self._db.execute(f"SELECT seq FROM {self.TABLE} WHERE id = ?", (record_id,)).fetchone()
        return row[0] if row else None

    def _where_also(self, query: ListQuery | None, extra_condition: str, extra_params: tuple) -> tuple[str, list]:
        where, params = self._where(query or ListQuery())
        if extra_condition:
            where = (where + " AND " if where else " WHERE ") + f"({extra_condition})"
            params = [*params, *extra_params]
        return where, params

    def count(self, query: ListQuery | None = None, extra_condition: str = "", extra_params: tuple = ()) -> int:
        """How many records match `query` (and `extra_condition`, as for iter_batches)."""
        where, params = self._where_also(query, extra_condition, extra_params)
        return self._db.execute(f"SELECT count(*) FROM {self.TABLE}{where}", params).fetchone()[0]

    def iter_batches(self, query: ListQuery | None = None, batch: int = 2000, extra_condition: str = "",
                     extra_params: tuple = ()) -> Iterator[list[R]]:
        """The records matching `query`, in storage order, one batch (list) at a time (exports).

        Keyset paging on `seq` keeps each batch one index range scan, so the thousandth batch costs
        what the first did and memory holds one batch, whatever the table size. `extra_condition` is
        a fixed SQL fragment of the store (never user text) with `?` placeholders for `extra_params`.
        """
        for rows in self._keyset_batches(self._columns, query, batch, extra_condition, extra_params):
            yield [self._to_record(row[:-1]) for row in rows]

    def stored_columns(self) -> tuple[tuple[str, str], ...]:
        """(column, kind) of each stored column, in the order of the record's fields. A kind says
        how the value is stored (store.convert): "datetime" (ISO 8601 text in UTC, milliseconds),
        "date" (YYYY-MM-DD), "bool" (0 or 1), "json" (a JSON list or object), "plain"."""
        return column_kinds(self.RECORD)

    def iter_row_batches(self, columns: Sequence[str], query: ListQuery | None = None, batch: int = 2000,
                         extra_condition: str = "", extra_params: tuple = ()) -> Iterator[list[tuple]]:
        """The stored values of `columns` for the records iter_batches would yield, in the same
        order and batches, as tuples: no record is built (a 200 000-row export would otherwise
        spend a third of its time turning text into dates and back). Each tuple ends with one more
        value, the row's `seq`, left there rather than cut off row by row."""
        unknown = [name for name in columns if name not in self._columns]
        if unknown or not columns:
            raise ValueError(f"no column {unknown!r} in {self.TABLE}")
        return self._keyset_batches(list(columns), query, batch, extra_condition, extra_params)

    def _keyset_batches(self, columns: list[str], query: ListQuery | None, batch: int, extra_condition: str,
                        extra_params: tuple) -> Iterator[list[tuple]]:
        """Rows of (*columns, seq) in seq order, `batch` at a time (see iter_batches)."""
        where, params = self._where_also(query, extra_condition, extra_params)
        where = f"{where} AND seq > ?" if where else " WHERE seq > ?"
        # NOT INDEXED: walk the table in seq order and stop at `batch` matches. Through a date index
        # SQLite would instead collect and sort every match of the period again for each batch.
        sql = (f"SELECT {', '.join(columns)}, seq FROM {self.TABLE} NOT INDEXED{where} "
               "ORDER BY seq LIMIT ?")
        last_seq = 0
        while True:
            rows = self._db.execute(sql, [*params, last_seq, batch]).fetchall()
            if not rows:
                return
            last_seq = rows[-1][-1]
            yield rows
            if len(rows) < batch:
                return

    def count_by(self, column: str, query: ListQuery | None = None) -> dict[str, int]:
        if column not in self._columns:
            raise ValueError(f"no column {column!r} in {self.TABLE}")
        where, params = self._where(query or ListQuery())
        rows = self._db.execute(f"SELECT {column}, count(*) FROM {self.TABLE}{where} GROUP BY {column}", params)
        return {key: n for key, n in rows}

    # -- writing -------------------------------------------------------------------------------
    def _stamp_new(self, record: R, now: datetime) -> R:
        record.created_at = record.created_at or now
        record.updated_at = now
        record.hlc = self._writer.clock.now()
        record.origin_site = record.origin_site or self._writer.site_id
        record.created_by = record.created_by or self._writer.user
        record.deleted = False
        return record

    def _insert(self, record: R) -> None:
        self._db.execute(self._insert_sql, record_values(record))

    def _write_version(self, record: R) -> None:
        row = record_to_row(record)
        assignments = ", ".join(f"{name} = ?" for name in self._columns if name != "id")
        self._db.execute(f"UPDATE {self.TABLE} SET {assignments} WHERE id = ?",
                         [row[name] for name in self._columns if name != "id"] + [record.id])

    def _check(self, record: R) -> None:
        validate(record)

    def create(self, record: R) -> Change:
        self._check(record)
        with transaction(self._db):
            self._stamp_new(record, utc_now())
            self._insert(record)
            self._writer.audit.append(self._writer.user, "create", self.RECORD.KIND, record.id)
            self._writer.persist_clock()
        return Change(self.RECORD.KIND, created=[record.id])

    def bulk_create(self, records: Iterable[R], check: bool = True, audit_action: str = "bulk_create") -> Change:
        """Many new records in one transaction with one audit entry (imports, demo data)."""
        now = utc_now()
        rows, ids = [], []
        for record in records:
            if check:
                self._check(record)
            self._stamp_new(record, now)
            rows.append(record_values(record))
            ids.append(record.id)
        if not rows:
            return Change(self.RECORD.KIND)
        with transaction(self._db):
            self._db.executemany(self._insert_sql, rows)
            self._writer.audit.append(self._writer.user, audit_action, self.RECORD.KIND, "",
                                      {"count": len(ids), "first": ids[0], "last": ids[-1]})
            self._writer.persist_clock()
        return Change(self.RECORD.KIND, created=ids)

    def _changed_fields(self, before: R, after: R) -> list[str]:
        skip = {"created_at", "updated_at", "hlc", "origin_site", "created_by", "deleted"}
        return [name for name in self._columns if name not in skip and getattr(before, name) != getattr(after, name)]

    def update(self, record: R) -> Change:
        before = self.get(record.id)
        self._check(record)
        changed = self._changed_fields(before, record)
        if not changed:
            return Change(self.RECORD.KIND)
        with transaction(self._db):
            record.created_at, record.created_by, record.origin_site = before.created_at, before.created_by, before.origin_site
            record.updated_at = utc_now()
            record.hlc = self._writer.clock.now()
            record.deleted = False
            self._write_version(record)
            self._writer.audit.append(self._writer.user, "update", self.RECORD.KIND, record.id, {"fields": changed})
            self._writer.persist_clock()
        return Change(self.RECORD.KIND, updated=[record.id])

    # -- imports: writes inside a transaction the caller holds (one spreadsheet, one transaction) --
    def insert_in_transaction(self, record: R) -> None:
        """Validate, stamp and insert a new record; the caller has BEGUN and will COMMIT or ROLLBACK."""
        self._check(record)
        self._stamp_new(record, utc_now())
        self._insert(record)

    def update_in_transaction(self, record: R) -> list[str]:
        """Validate and write a new version of a known record; returns the fields that changed
        (none: nothing is written). The caller holds the transaction."""
        before = self.get(record.id, include_deleted=True)
        self._check(record)
        changed = self._changed_fields(before, record)
        if not changed and not before.deleted:
            return []
        record.created_at, record.created_by, record.origin_site = before.created_at, before.created_by, before.origin_site
        record.updated_at = utc_now()
        record.hlc = self._writer.clock.now()
        record.deleted = False
        self._write_version(record)
        return changed or ["deleted"]

    def delete(self, record_id: str) -> Change:
        """Tombstone: the record disappears from lists and travels to other sites as deleted."""
        record = self.get(record_id)
        with transaction(self._db):
            record.deleted = True
            record.updated_at = utc_now()
            record.hlc = self._writer.clock.now()
            self._write_version(record)
            self._writer.audit.append(self._writer.user, "delete", self.RECORD.KIND, record_id)
            self._writer.persist_clock()
        return Change(self.RECORD.KIND, deleted=[record_id])


class ReferralRepository(Repository[Referral]):
    TABLE, RECORD, FTS, DATE_COLUMN = "referrals", Referral, "referrals_fts", "reported_at"
    DEFAULT_SORT = "reported_at"
    SORTS = {
        "reported_at": "reported_at", "incident_date": "incident_date", "survivor_code": "survivor_code",
        "incident_type": "incident_type", "status": "status", "location_pcode": "location_pcode",
        "sex": "sex", "age_group": "age_group", "updated_at": "updated_at",
    }
    FILTERS = {
        "status": "status = ?",
        "incident_type": "incident_type = ?",
        "type": "incident_type = ?",
        "sex": "sex = ?",
        "age_group": "age_group = ?",
        "crsv": "crsv = ?",
        "consent_reporting": "consent_reporting = ?",
        # IN (subquery) runs the subquery once, from services_sector_referral; EXISTS ran it per row.
        # Matching on seq (not id) keeps the list's sort index covering: 4x faster at 200 000 rows.
        "sector": ("seq IN (SELECT r.seq FROM referral_services s JOIN referrals r ON r.id = s.referral_id "
                   "WHERE s.sector = ? AND s.deleted = 0)"),
    }

    def survivor_codes(self, ids: Iterable[str]) -> dict[str, str]:
        """{referral id: survivor code} of the given referrals, in one query per 500 ids
        (a service export names each service's survivor without reading whole referrals)."""
        ids = sorted(set(ids))
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found.update(self._db.execute(
                f"SELECT id, survivor_code FROM referrals WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def next_survivor_code(self, office_code: str, year: int) -> str:
        """OFFICE-YEAR-NNNN, one more than the highest code of that office and year in this vault."""
        prefix = f"{office_code}-{year}-"
        row = self._db.execute(
            "SELECT max(CAST(substr(survivor_code, ?) AS INTEGER)) FROM referrals WHERE survivor_code GLOB ?",
            (len(prefix) + 1, prefix + "[0-9]*")).fetchone()
        return f"{prefix}{(row[0] or 0) + 1:04d}"

    def _check(self, record: Referral) -> None:
        validate(record)
        clash = self._db.execute(
            "SELECT 1 FROM referrals WHERE survivor_code = ? AND id != ? AND deleted = 0",
            (record.survivor_code, record.id)).fetchone()
        if clash:
            raise ValidationError({"survivor_code": _("Another referral already uses the code {code}.").format(
                code=record.survivor_code)})

    # -- one referral with its services in one transaction (fieldapp/ops/referrals.py) ----------
    def check(self, record: Referral) -> None:
        """Every rule a referral must pass before it is written (ValidationError naming the field)."""
        self._check(record)

    @contextlib.contextmanager
    def transaction(self):
        """One user action over a referral and its services: committed whole, or rolled back on
        any exception. The clock's last stamp is kept in the same transaction."""
        with transaction(self._db):
            yield
            self._writer.persist_clock()

    def save_in_transaction(self, record: Referral, before: Referral | None) -> Change:
        """Insert or write a new version of an already checked referral, audited; the caller
        holds the transaction. `before` is the stored version (None: a new referral)."""
        now = utc_now()
        if before is None:
            self._stamp_new(record, now)
            self._insert(record)
            self._writer.audit.append(self._writer.user, "create", Referral.KIND, record.id)
            return Change(Referral.KIND, created=[record.id])
        changed = self._changed_fields(before, record)
        if not changed:
            return Change(Referral.KIND)
        record.created_at, record.created_by, record.origin_site = before.created_at, before.created_by, before.origin_site
        record.updated_at, record.hlc, record.deleted = now, self._writer.clock.now(), False
        self._write_version(record)
        self._writer.audit.append(self._writer.user, "update", Referral.KIND, record.id, {"fields": changed})
        return Change(Referral.KIND, updated=[record.id])


class ServiceRepository(Repository[ReferralService]):
    TABLE, RECORD, DATE_COLUMN = "referral_services", ReferralService, "referred_at"
    DEFAULT_SORT = "created_at"
    SORTS = {"created_at": "created_at", "sector": "sector", "status": "status", "follow_up_on": "follow_up_on",
             "referred_at": "referred_at", "updated_at": "updated_at"}
    FILTERS = {"referral_id": "referral_id = ?", "sector": "sector = ?", "status": "status = ?",
               "provider_id": "provider_id = ?"}

    def __init__(self, writer: Writer, referrals: ReferralRepository):
        super().__init__(writer)
        self._referrals = referrals

    def for_referral(self, referral_id: str) -> list[ReferralService]:
        return self.list(ListQuery(filters={"referral_id": referral_id}, sort="created_at", descending=False))

    def _check(self, record: ReferralService) -> None:
        validate(record)
        if self._referrals.find(record.referral_id) is None:
            raise ValidationError({"referral_id": _("The referral of this service does not exist.")})

    def check_for(self, service: ReferralService, referral: Referral) -> None:
        """The rules a service of `referral` (stored or about to be) must pass before it is written."""
        validate(service)
        if service.referral_id != referral.id:
            raise ValidationError({"referral_id": _("The referral of this service does not exist.")})

    def create(self, record: ReferralService) -> Change:
        """A new service, born pending and walked to the status it was given (domain/services.py)."""
        referral = self._referrals.find(record.referral_id)
        if referral is None or referral.deleted:
            raise ValidationError({"referral_id": _("The referral of this service does not exist.")})
        service_rules.start_service(record, referral, at=utc_now(), by=self._writer.user)
        self.check_for(record, referral)
        with transaction(self._db):
            self.save_in_transaction(record, None)
            self._writer.persist_clock()
        return Change(ReferralService.KIND, created=[record.id])

    def save_in_transaction(self, service: ReferralService, stored: ReferralService | None) -> str:
        """Write an already walked and checked service: "created", "updated", or "" when nothing
        changed. Audited, the consent override included; the caller holds the transaction."""
        now = utc_now()
        if stored is None:
            self._stamp_new(service, now)
            self._insert(service)
            self._writer.audit.append(self._writer.user, "create", ReferralService.KIND, service.id)
            outcome = "created"
        else:
            changed = self._changed_fields(stored, service)
            if not changed:
                return ""
            service.created_at, service.created_by = stored.created_at, stored.created_by
            service.origin_site = stored.origin_site
            service.updated_at, service.hlc, service.deleted = now, self._writer.clock.now(), False
            self._write_version(service)
            self._writer.audit.append(self._writer.user, "update", ReferralService.KIND, service.id,
                                      {"fields": changed})
            outcome = "updated"
        if service.consent_override_reason and service.consent_override_reason != (
                stored.consent_override_reason if stored else ""):
            self._audit_override(service)
        return outcome

    def update(self, record: ReferralService) -> Change:
        """A new version of a stored service, its status walked there through the allowed moves."""
        stored = self.get(record.id)
        referral = self._referrals.get(stored.referral_id)
        if record.referral_id != stored.referral_id:
            raise ValidationError({"referral_id": _("The referral of this service does not exist.")})
        service_rules.walk_from_stored(record, stored, referral, at=utc_now(), by=self._writer.user)
        self.check_for(record, referral)
        with transaction(self._db):
            outcome = self.save_in_transaction(record, stored)
            self._writer.persist_clock()
        return Change(ReferralService.KIND, updated=[record.id] if outcome else [])

    def _audit_override(self, service: ReferralService) -> None:
        # The reason itself is audited: overriding consent is a decision someone must answer for.
        self._writer.audit.append(self._writer.user, "consent_override", service.KIND, service.id,
                                  {"referral_id": service.referral_id, "reason": service.consent_override_reason})


class AlertRepository(Repository[Alert]):
    TABLE, RECORD, FTS, DATE_COLUMN = "alerts", Alert, "alerts_fts", "received_at"
    DEFAULT_SORT = "received_at"
    SORTS = {"received_at": "received_at", "severity": "severity", "status": "status",
             "location_pcode": "location_pcode", "channel": "channel", "source_code": "source_code",
             "updated_at": "updated_at"}
    FILTERS = {
        "status": "status = ?",
        "severity": "severity = ?",
        "verification": "verification = ?",
        "crsv_related": "crsv_related = ?",
        "threat_type": "seq IN (SELECT alert_seq FROM alert_threats WHERE threat = ?)",
        "type": "seq IN (SELECT alert_seq FROM alert_threats WHERE threat = ?)",
    }

class TrainingRepository(Repository[Training]):
    TABLE, RECORD, FTS, DATE_COLUMN = "trainings", Training, "trainings_fts", "start_date"
    DEFAULT_SORT = "start_date"
    SORTS = {"start_date": "start_date", "title": "title", "audience": "audience",
             "location_pcode": "location_pcode", "updated_at": "updated_at",
             "participants": "(participants_female + participants_male + participants_undisclosed)"}
    FILTERS = {
        "audience": "audience = ?",
        "type": "audience = ?",
        "topic": "EXISTS (SELECT 1 FROM json_each(trainings.topics) WHERE value = ?)",
        "training_of_trainers": "training_of_trainers = ?",
    }


class ProviderRepository(Repository[Provider]):
    TABLE, RECORD, FTS, DATE_COLUMN = "providers", Provider, "providers_fts", "last_verified"
    DEFAULT_SORT = "name"
    SORTS = {"name": "name COLLATE NOCASE", "location_pcode": "location_pcode", "last_verified": "last_verified",
             "updated_at": "updated_at"}
    FILTERS = {
        "sector": "EXISTS (SELECT 1 FROM json_each(providers.sectors) WHERE value = ?)",
        "type": "EXISTS (SELECT 1 FROM json_each(providers.sectors) WHERE value = ?)",
        "active": "active = ?",
        "status": "active = ?",
        "free_of_charge": "free_of_charge = ?",
        "verified_before": "(last_verified IS NULL OR last_verified < ?)",
    }

    def in_area(self, pcode: str, active_only: bool = True) -> list[Provider]:
        """Providers of an area and of every area below it."""
        filters = {"active": True} if active_only else {}
        return self.list(ListQuery(pcode_prefix=pcode, filters=filters, sort="name", descending=False))

