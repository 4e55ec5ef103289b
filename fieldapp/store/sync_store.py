"""Every SQL statement of sync (docs/DESIGN.md 6): site keys, peers, bundle logs, the rows a bundle
carries, the rows a merge reads and writes, and the conflicts table. No decisions are made here:
fieldapp.sync decides, this module reads and writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Iterator

from fieldapp.domain.synced import BY_KIND, BY_NAME, SYNCED
from fieldapp.store import secret
from fieldapp.store.convert import column_kinds
from fieldapp.store.meta import get_meta, set_meta

# Synced tables and their record type, from the one registry (domain/synced.py). Table names are
# never taken from input: every statement below only formats names from it.
SYNCED_TABLES: dict[str, type] = {table.name: table.record for table in SYNCED}
UUID_TABLES = tuple(table.name for table in SYNCED if table.key == "id")
# Places have no integer `seq`; their implicit rowid orders them just as stably within a transaction.
_ORDER_COLUMN = {table: "seq" for table in UUID_TABLES} | {"places": "rowid"}
# A clock stamp is `WWWWWWWWWWWWWWW.CCCCCC.SITE`: the writing site starts at character 24.
STAMP_SITE = "substr({column}, 24)"
BATCH = 2000


def key_column(table: str) -> str:
    return BY_NAME[table].key


def columns(table: str) -> list[str]:
    return [name for name, _kind in column_kinds(SYNCED_TABLES[table])]


def _table(table: str) -> str:
    if table not in SYNCED_TABLES:
        raise ValueError(f"not a synced table: {table!r}")
    return table


def _kind(table: str) -> str:
    """How the conflicts table names the records of `table`: by kind, as the audit log does."""
    return BY_NAME[table].kind


@dataclass
class StoredVersion:
    """One row of sync_conflicts."""

    seq: int
    record_type: str  # the synced table (stored as the record's kind)
    record_id: str
    site: str
    hlc: str
    version: dict
    differs: bool
    detected_at: str
    bundle_id: str
    resolution: str
    resolved_at: str | None
    resolved_by: str


_CONFLICT_COLUMNS = ("seq, record_type, record_id, site, hlc, version, differs, detected_at, bundle_id, "
                     "resolution, resolved_at, resolved_by")


def batched(db, sql: str, params: list, order_index: int) -> Iterator[tuple]:
    """Keyset paging on the table's stable row order: flat memory however large the table. `sql`
    takes the last order value seen first, then `params`, then the batch size; its rows end with
    the order value, at `order_index`, which is cut off."""
    last = -1
    while True:
        rows = db.execute(sql, [last, *params, BATCH]).fetchall()
        if not rows:
            return
        for row in rows:
            yield row[:order_index]
        last = rows[-1][order_index]


def _stored(row) -> StoredVersion:
    values = list(row)
    values[1] = BY_KIND[values[1]].name  # stored as the record's kind, handed back as its table
    values[5] = json.loads(values[5])
    values[6] = bool(values[6])
    return StoredVersion(*values)


class SyncStore:
    def __init__(self, connection):
        self._db = connection

    # -- meta ----------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        return get_meta(self._db, key)

    def set_meta(self, key: str, value: str) -> None:
        set_meta(self._db, key, value)

    # -- this site's keys ----------------------------------------------------------------------
    def identity(self) -> tuple[str, str] | None:
        row = self._db.execute("SELECT signing_seed, age_identity FROM sync_identity WHERE id = 1").fetchone()
        return (row[0], row[1]) if row else None

    def identity_buffers(self) -> tuple[bytearray, bytearray] | None:
        """The seed's hex and the age identity's text, as buffers the caller wipes (see secret.py):
        read as blobs, so the only immutable copies are the two scrubbed here."""
        row = self._db.execute("SELECT CAST(signing_seed AS BLOB), CAST(age_identity AS BLOB) FROM sync_identity "
                               "WHERE id = 1").fetchone()
        if row is None:
            return None
        seed, identity = row
        del row
        return secret.take(seed), secret.take(identity)

    def save_identity(self, signing_seed, age_identity, created_at: str) -> None:
        """Text, or buffers (bound as blobs and stored as text, so no str copy is made)."""
        self._db.execute("INSERT OR REPLACE INTO sync_identity (id, signing_seed, age_identity, created_at) "
                         "VALUES (1, CAST(? AS TEXT), CAST(? AS TEXT), ?)", (signing_seed, age_identity, created_at))

    def has_sync_history(self) -> bool:
        for table in ("sync_peers", "sync_sent", "sync_received"):
            if self._db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                return True
        return False

    def record_count(self) -> int:
        return sum(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in UUID_TABLES)

    # -- peers ---------------------------------------------------------------------------------
    _PEER_COLUMNS = ("site_id", "name", "office_code", "role", "signing_key", "age_recipient", "enrolled_at",
                     "enrolled_by")

    def peers(self) -> list[dict]:
        rows = self._db.execute(f"SELECT {', '.join(self._PEER_COLUMNS)} FROM sync_peers ORDER BY name COLLATE NOCASE")
        return [dict(zip(self._PEER_COLUMNS, row)) for row in rows]

    def peer(self, site_id: str) -> dict | None:
        row = self._db.execute(f"SELECT {', '.join(self._PEER_COLUMNS)} FROM sync_peers WHERE site_id = ?",
                               (site_id,)).fetchone()
        return dict(zip(self._PEER_COLUMNS, row)) if row else None

    def save_peer(self, peer: dict) -> None:
        values = [peer[name] for name in self._PEER_COLUMNS]
        self._db.execute(f"INSERT OR REPLACE INTO sync_peers ({', '.join(self._PEER_COLUMNS)}) "
                         f"VALUES ({', '.join('?' * len(values))})", values)

    # -- bundle logs ---------------------------------------------------------------------------
    def last_sent(self, peer_site: str) -> dict | None:
        row = self._db.execute(
            "SELECT bundle_id, seq, file_name, created_at, full, watermark, counts FROM sync_sent "
            "WHERE peer_site = ? ORDER BY seq DESC LIMIT 1", (peer_site,)).fetchone()
        if row is None:
            return None
        keys = ("bundle_id", "seq", "file_name", "created_at", "full", "watermark", "counts")
        result = dict(zip(keys, row))
        result["counts"] = json.loads(result["counts"])
        return result

    def record_sent(self, bundle_id: str, peer_site: str, seq: int, file_name: str, created_at: str,
                    created_by: str, full: bool, watermark: str, counts: dict) -> None:
        self._db.execute(
            "INSERT INTO sync_sent (bundle_id, peer_site, seq, file_name, created_at, created_by, full, watermark, "
            "counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (bundle_id, peer_site, seq, file_name, created_at, created_by, int(full), watermark,
             json.dumps(counts, sort_keys=True)))

    def received(self, bundle_id: str) -> dict | None:
        row = self._db.execute("SELECT sender_site, seq, imported_at, imported_by FROM sync_received "
                               "WHERE bundle_id = ?", (bundle_id,)).fetchone()
        return dict(zip(("sender_site", "seq", "imported_at", "imported_by"), row)) if row else None

    def received_sequences(self, sender_site: str) -> list[tuple[int, bool]]:
        rows = self._db.execute("SELECT DISTINCT seq, full FROM sync_received WHERE sender_site = ? ORDER BY seq",
                                (sender_site,))
        return [(seq, bool(full)) for seq, full in rows]

    def last_received(self, sender_site: str) -> dict | None:
        row = self._db.execute(
            "SELECT bundle_id, seq, created_at, imported_at FROM sync_received WHERE sender_site = ? "
            "ORDER BY imported_at DESC, seq DESC LIMIT 1", (sender_site,)).fetchone()
        return dict(zip(("bundle_id", "seq", "created_at", "imported_at"), row)) if row else None

    def record_received(self, bundle_id: str, sender_site: str, seq: int, full: bool, created_at: str,
                        imported_at: str, imported_by: str, summary: dict) -> None:
        self._db.execute(
            "INSERT INTO sync_received (bundle_id, sender_site, seq, full, created_at, imported_at, imported_by, "
            "summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (bundle_id, sender_site, seq, int(full), created_at, imported_at, imported_by,
             json.dumps(summary, sort_keys=True)))

    # -- what a bundle carries -----------------------------------------------------------------

    def changed_rows(self, table: str, since: str, own_site: str) -> Iterator[tuple]:
        """Rows of `table` this site last wrote after the stamp `since` (every row for "")."""
        order = _ORDER_COLUMN[_table(table)]
        cols = columns(table)
        sql = (f"SELECT {', '.join(cols)}, {order} FROM {table} WHERE {order} > ? AND hlc > ? "
               f"AND {STAMP_SITE.format(column='hlc')} = ? ORDER BY {order} LIMIT ?")
        return batched(self._db, sql, [since, own_site], len(cols))

    def shared_referrals(self, since: str, own_site: str) -> Iterator[tuple]:
        """Referrals with consent to reporting, last written here after `since`."""
        cols = columns("referrals")
        sql = (f"SELECT {', '.join(cols)}, seq FROM referrals WHERE seq > ? AND hlc > ? AND consent_reporting = 1 "
               f"AND {STAMP_SITE.format(column='hlc')} = ? ORDER BY seq LIMIT ?")
        return batched(self._db, sql, [since, own_site], len(cols))

    def shared_services(self, since: str, own_site: str, peer_site: str) -> Iterator[tuple]:
        """Services of referrals with consent: changed after `since`, or all of a referral that this
        peer has not had yet (consent given after its services were written)."""
        cols = columns("referral_services")
        sql = (f"SELECT {', '.join('s.' + c for c in cols)}, s.seq FROM referral_services s "
               "JOIN referrals r ON r.id = s.referral_id "
               f"WHERE s.seq > ? AND r.consent_reporting = 1 AND {STAMP_SITE.format(column='s.hlc')} = ? "
               "AND (s.hlc > ? OR NOT EXISTS (SELECT 1 FROM sync_shared x WHERE x.peer_site = ? "
               "AND x.record_id = r.id AND x.withdrawn = 0)) ORDER BY s.seq LIMIT ?")
        return batched(self._db, sql, [own_site, since, peer_site], len(cols))

    def withdrawn_referrals(self, since: str, peer_site: str) -> Iterator[tuple]:
        """(id, created_at, updated_at, hlc, origin_site) of referrals this peer has had whose
        consent to reporting was withdrawn since."""
        sql = ("SELECT r.id, r.created_at, r.updated_at, r.hlc, r.origin_site, r.seq FROM referrals r "
               "JOIN sync_shared x ON x.record_id = r.id AND x.withdrawn = 0 "
               "WHERE r.seq > ? AND x.peer_site = ? AND r.consent_reporting = 0 AND r.hlc > ? ORDER BY r.seq LIMIT ?")
        return batched(self._db, sql, [peer_site, since], 5)

    def withdrawn_services(self, since: str, peer_site: str) -> Iterator[tuple]:
        """(id, created_at, updated_at, stamp, origin_site, referral_id) of the services of those
        referrals; the stamp is the later of the service's and the withdrawal's."""
        sql = ("SELECT s.id, s.created_at, s.updated_at, max(s.hlc, r.hlc), s.origin_site, s.referral_id, s.seq "
               "FROM referral_services s JOIN referrals r ON r.id = s.referral_id "
               "JOIN sync_shared x ON x.record_id = r.id AND x.withdrawn = 0 "
               "WHERE s.seq > ? AND x.peer_site = ? AND r.consent_reporting = 0 AND r.hlc > ? ORDER BY s.seq LIMIT ?")
        return batched(self._db, sql, [peer_site, since], 6)

    def reshared_service_ids(self, since: str, peer_site: str) -> list[str]:
        """Services of referrals whose consent was withdrawn, sent as tombstones, and given again:
        they need a new version to outrank those tombstones."""
        rows = self._db.execute(
            "SELECT s.id FROM referral_services s JOIN referrals r ON r.id = s.referral_id "
            "JOIN sync_shared x ON x.peer_site = ? AND x.record_id = r.id AND x.withdrawn = 1 "
            "WHERE r.consent_reporting = 1 AND r.hlc > ?", (peer_site, since))
        return [row[0] for row in rows]

    def restamp_service(self, service_id: str, hlc: str, updated_at: str) -> None:
        self._db.execute("UPDATE referral_services SET hlc = ?, updated_at = ? WHERE id = ?",
                         (hlc, updated_at, service_id))

    def mark_shared(self, peer_site: str, since: str, own_site: str) -> None:
        """After a bundle to `peer_site`: remember which referrals it has, and which it lost."""
        self._db.execute(
            "INSERT INTO sync_shared (peer_site, record_id, withdrawn) "
            f"SELECT ?, id, 0 FROM referrals WHERE hlc > ? AND consent_reporting = 1 "
            f"AND {STAMP_SITE.format(column='hlc')} = ? "
            "ON CONFLICT (peer_site, record_id) DO UPDATE SET withdrawn = 0", (peer_site, since, own_site))
        self._db.execute(
            "UPDATE sync_shared SET withdrawn = 1 WHERE peer_site = ? AND withdrawn = 0 AND record_id IN "
            "(SELECT id FROM referrals WHERE consent_reporting = 0 AND hlc > ?)", (peer_site, since))

    def newest_own_stamp(self, own_site: str) -> str | None:
        """The greatest well-formed stamp this site wrote, short of the end of the clock's range."""
        pattern = "[0-9]" * 15 + "." + "[0-9]" * 6 + "." + own_site
        stamps = [self._db.execute(f"SELECT max(hlc) FROM {table} WHERE hlc GLOB ? AND hlc < '999999999999999'",
                                   (pattern,)).fetchone()[0] for table in SYNCED_TABLES]
        return max((stamp for stamp in stamps if stamp), default=None)

    # -- what a merge reads and writes ---------------------------------------------------------
    def local_rows(self, table: str, keys: list[str]) -> dict[str, tuple]:
        cols = columns(_table(table))
        key = key_column(table)
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows = self._db.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE {key} IN "
                                    f"({', '.join('?' * len(chunk))})", chunk)
            index = cols.index(key)
            for row in rows:
                found[row[index]] = tuple(row)
        return found

    def ids_in_other_tables(self, table: str, ids: Iterable[str]) -> dict[str, str]:
        """Which of `ids` are ids of records in a synced table other than `table`: {id: that table}."""
        ids = [value for value in set(ids) if value]
        found: dict[str, str] = {}
        for other in UUID_TABLES:
            if other == table:
                continue
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for (value,) in self._db.execute(
                        f"SELECT id FROM {other} WHERE id IN ({', '.join('?' * len(chunk))})", chunk):
                    found[value] = other
        return found

    def ids_referenced_by_services(self, column: str, ids: Iterable[str]) -> set[str]:
        """Which of `ids` services name as their referral_id or provider_id."""
        if column not in ("referral_id", "provider_id"):
            raise ValueError(column)
        ids = list(set(ids))
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found.update(value for (value,) in self._db.execute(
                f"SELECT DISTINCT {column} FROM referral_services WHERE {column} IN "
                f"({', '.join('?' * len(chunk))})", chunk))
        return found

    def insert_rows(self, table: str, rows: list[tuple]) -> None:
        cols = columns(_table(table))
        self._db.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)

    def update_rows(self, table: str, rows: list[tuple]) -> None:
        cols = columns(_table(table))
        key = key_column(table)
        index = cols.index(key)
        assignments = ", ".join(f"{name} = ?" for name in cols if name != key)
        self._db.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = ?",
                             [[value for i, value in enumerate(row) if i != index] + [row[index]] for row in rows])

    # -- conflicts -----------------------------------------------------------------------------
    def stored_versions(self, table: str, keys: list[str]) -> dict[str, list[StoredVersion]]:
        found: dict[str, list[StoredVersion]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows = self._db.execute(
                f"SELECT {_CONFLICT_COLUMNS} FROM sync_conflicts WHERE record_type = ? AND record_id IN "
                f"({', '.join('?' * len(chunk))})", [_kind(table), *chunk])
            for row in rows:
                stored = _stored(row)
                found.setdefault(stored.record_id, []).append(stored)
        return found

    def put_version(self, table: str, record_id: str, site: str, hlc: str, version: dict, differs: bool,
                    detected_at: str, bundle_id: str) -> None:
        """Store (or replace with a newer one) the version a site wrote; a new version reopens review."""
        self._db.execute(
            "INSERT INTO sync_conflicts (record_type, record_id, site, hlc, version, differs, detected_at, bundle_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_type, record_id, site) DO UPDATE SET "
            "hlc = excluded.hlc, version = excluded.version, differs = excluded.differs, "
            "detected_at = excluded.detected_at, bundle_id = excluded.bundle_id, resolution = '', "
            "resolved_at = NULL, resolved_by = ''",
            (_kind(table), record_id, site, hlc, json.dumps(version, ensure_ascii=False, sort_keys=True), int(differs),
             detected_at, bundle_id))

    def drop_version(self, table: str, record_id: str, site: str) -> None:
        self._db.execute("DELETE FROM sync_conflicts WHERE record_type = ? AND record_id = ? AND site = ?",
                         (_kind(table), record_id, site))

    def set_differs(self, table: str, record_id: str, site: str, differs: bool) -> None:
        self._db.execute("UPDATE sync_conflicts SET differs = ? WHERE record_type = ? AND record_id = ? AND site = ?",
                         (int(differs), _kind(table), record_id, site))

    def open_conflicts(self, limit: int = 500, offset: int = 0) -> list[StoredVersion]:
        rows = self._db.execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM sync_conflicts WHERE differs = 1 AND resolution = '' "
            "ORDER BY detected_at DESC, seq DESC LIMIT ? OFFSET ?", (limit, offset))
        return [_stored(row) for row in rows]

    def conflict(self, seq: int) -> StoredVersion | None:
        row = self._db.execute(f"SELECT {_CONFLICT_COLUMNS} FROM sync_conflicts WHERE seq = ?", (seq,)).fetchone()
        return _stored(row) if row else None

    def resolve(self, seq: int, resolution: str, resolved_at: str, resolved_by: str) -> None:
        self._db.execute("UPDATE sync_conflicts SET resolution = ?, resolved_at = ?, resolved_by = ? WHERE seq = ?",
                         (resolution, resolved_at, resolved_by, seq))

    def resolve_others(self, table: str, record_id: str, resolution: str, resolved_at: str,
                       resolved_by: str) -> None:
        self._db.execute(
            "UPDATE sync_conflicts SET resolution = ?, resolved_at = ?, resolved_by = ? "
            "WHERE record_type = ? AND record_id = ? AND resolution = ''",
            (resolution, resolved_at, resolved_by, _kind(table), record_id))

    def all_versions(self) -> list[tuple]:
        """Every stored version without local times: what must match between two sites."""
        return self._db.execute(
            "SELECT record_type, record_id, site, hlc, version, differs FROM sync_conflicts "
            "ORDER BY record_type, record_id, site").fetchall()

    def table_content(self, table: str) -> Iterator[tuple]:
        cols = columns(_table(table))
        return iter(self._db.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {key_column(table)}"))
