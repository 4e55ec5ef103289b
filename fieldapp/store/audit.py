"""The hash-chained audit log: who did what and when, with tampering detectable by `verify`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from fieldapp.i18n import _
from fieldapp.store.meta import get_meta, set_meta

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    user: str
    action: str
    record_type: str
    record_id: str
    detail: dict
    prev_hash: str
    hash: str


def _entry_hash(seq: int, at: str, user: str, action: str, record_type: str, record_id: str,
                detail_json: str, prev_hash: str) -> str:
    canonical = json.dumps([seq, at, user, action, record_type, record_id, detail_json, prev_hash],
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AuditLog:
    """Appends inside the caller's transaction, so an entry exists exactly when its change does."""

    def __init__(self, connection):
        self._connection = connection

    def append(self, user: str, action: str, record_type: str = "", record_id: str = "",
               detail: dict | None = None) -> None:
        last = self._connection.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        digest = _entry_hash(seq, at, user, action, record_type, record_id, detail_json, prev_hash)
        self._connection.execute(
            "INSERT INTO audit_log (seq, at, user, action, record_type, record_id, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, at, user, action, record_type, record_id, detail_json, prev_hash, digest))
        # The head is kept apart from the chain so that cutting entries off the end is detected too.
        set_meta(self._connection, "audit_head", f"{seq}:{digest}")

    def entries(self, limit: int = 100, offset: int = 0, newest_first: bool = True) -> list[AuditEntry]:
        order = "DESC" if newest_first else "ASC"
        rows = self._connection.execute(
            f"SELECT seq, at, user, action, record_type, record_id, detail, prev_hash, hash FROM audit_log "
            f"ORDER BY seq {order} LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return [AuditEntry(*row[:6], json.loads(row[6]), row[7], row[8]) for row in rows]

    def count(self) -> int:
        return self._connection.execute("SELECT count(*) FROM audit_log").fetchone()[0]

    def verify(self) -> list[str]:
        """Walk the whole chain; return one message per problem found (empty means intact)."""
        problems: list[str] = []
        expected_prev, expected_seq = GENESIS, 1
        cursor = self._connection.execute(
            "SELECT seq, at, user, action, record_type, record_id, detail, prev_hash, hash FROM audit_log ORDER BY seq")
        last_seq, last_hash = 0, GENESIS
        for seq, at, user, action, record_type, record_id, detail, prev_hash, digest in cursor:
            if seq != expected_seq:
                problems.append(_("Audit entries {first} to {last} are missing.").format(
                    first=expected_seq, last=seq - 1))
            if prev_hash != expected_prev:
                problems.append(_("Audit entry {seq} does not follow the entry before it.").format(seq=seq))
            if _entry_hash(seq, at, user, action, record_type, record_id, detail, prev_hash) != digest:
                problems.append(_("Audit entry {seq} was altered.").format(seq=seq))
            expected_prev, expected_seq = digest, seq + 1
            last_seq, last_hash = seq, digest
            if len(problems) > 20:
                break
        head = get_meta(self._connection, "audit_head")
        if head is not None and head != f"{last_seq}:{last_hash}" and len(problems) <= 20:
            problems.append(_("The newest audit entries were removed."))
        return problems
