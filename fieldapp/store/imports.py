"""Store side of spreadsheet imports: the source keys of imported rows, writes inside the
import's one transaction, and the gazetteer names an import matches places against."""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone

from fieldapp.store.db import transaction


class ImportStore:
    """Everything an import writes, inside one transaction (`with store.transaction():`)."""

    def __init__(self, session):
        self._session = session
        self._db = session.connection

    @contextlib.contextmanager
    def transaction(self):
        with transaction(self._db):
            yield

    def lookup(self, kind: str, source_key: str) -> tuple[str, str] | None:
        """(record id, row hash) of the row imported before under this key, if any."""
        row = self._db.execute("SELECT record_id, row_hash FROM import_keys WHERE kind = ? AND source_key = ?",
                               (kind, source_key)).fetchone()
        return (row[0], row[1]) if row else None

    def remember(self, kind: str, source_key: str, record_id: str, row_hash: str, source: str) -> None:
        self._db.execute(
            "INSERT INTO import_keys (kind, source_key, record_id, row_hash, source, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(kind, source_key) DO UPDATE SET record_id = excluded.record_id, "
            "row_hash = excluded.row_hash, source = excluded.source, imported_at = excluded.imported_at",
            (kind, source_key, record_id, row_hash, source,
             datetime.now(timezone.utc).isoformat(timespec="milliseconds")))

    def audit(self, action: str, record_type: str, detail: dict) -> None:
        self._session.audit.append(self._session.user, action, record_type, "", detail)
        self._session.writer.persist_clock()

    def place_names(self) -> tuple[set[str], dict[str, list[str]]]:
        """Every P-code of the gazetteer, and folded-name candidates -> P-codes (names in any
        language); the gazetteer is small (thousands of places), so it is held while importing."""
        codes: set[str] = set()
        names: list[tuple[str, str, str]] = []
        for pcode, name_en, name_fr in self._db.execute(
                "SELECT pcode, name_en, name_fr FROM places WHERE deleted = 0"):
            codes.add(pcode)
            names.append((pcode, name_en or "", name_fr or ""))
        return codes, names
