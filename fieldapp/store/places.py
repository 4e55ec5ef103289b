"""The gazetteer: places keyed by P-code, searchable by name at any level, with their path."""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.domain.records import Place, utc_now
from fieldapp.store.convert import datetime_to_text
from fieldapp.store.db import transaction
from fieldapp.store.repositories import Writer, fts_query

_COLUMNS = ("pcode", "level", "name_en", "name_fr", "parent_pcode", "valid_on", "updated_at", "hlc",
            "origin_site", "deleted")


@dataclass
class PlacesImport:
    added: int = 0
    renamed: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.added + self.renamed + self.unchanged


def _to_place(row) -> Place:
    from datetime import date, datetime

    values = dict(zip(_COLUMNS, row))
    values["valid_on"] = date.fromisoformat(values["valid_on"]) if values["valid_on"] else None
    values["updated_at"] = datetime.fromisoformat(values["updated_at"]) if values["updated_at"] else None
    values["deleted"] = bool(values["deleted"])
    return Place(**values)


class PlaceRepository:
    def __init__(self, writer: Writer):
        self._writer = writer
        self._db = writer.connection
        self._select = f"SELECT {', '.join(_COLUMNS)} FROM places"

    def import_places(self, places: list[Place], source: str = "") -> PlacesImport:
        """Add new places and update names of known ones, in one transaction; never duplicates."""
        known = {row[0]: row[1:] for row in self._db.execute(
            "SELECT pcode, level, name_en, name_fr, parent_pcode, deleted FROM places")}
        result = PlacesImport()
        now = datetime_to_text(utc_now())
        inserts, updates = [], []
        for place in places:
            current = known.get(place.pcode)
            wanted = (place.level, place.name_en, place.name_fr, place.parent_pcode, 0)
            if current is None:
                inserts.append((place.pcode, place.level, place.name_en, place.name_fr, place.parent_pcode,
                                place.valid_on.isoformat() if place.valid_on else None, now,
                                self._writer.clock.now(), self._writer.site_id, 0))
                result.added += 1
            elif tuple(current) != wanted:
                updates.append((place.level, place.name_en, place.name_fr, place.parent_pcode, now,
                                self._writer.clock.now(), place.pcode))
                result.renamed += 1
            else:
                result.unchanged += 1
        with transaction(self._db):
            self._db.executemany(f"INSERT INTO places ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                                 inserts)
            self._db.executemany("UPDATE places SET level = ?, name_en = ?, name_fr = ?, parent_pcode = ?, "
                                 "updated_at = ?, hlc = ?, deleted = 0 WHERE pcode = ?", updates)
            self._writer.audit.append(self._writer.user, "import_places", "place", "",
                                      {"source": source, "added": result.added, "renamed": result.renamed,
                                       "unchanged": result.unchanged})
            self._writer.persist_clock()
        return result

    def get(self, pcode: str) -> Place | None:
        row = self._db.execute(f"{self._select} WHERE pcode = ?", (pcode,)).fetchone()
        return _to_place(row) if row else None

    def path(self, pcode: str) -> list[Place]:
        """The place and its ancestors, top level first (Nord-Kivu, Beni)."""
        rows = self._db.execute(
            "WITH RECURSIVE up(pcode, depth) AS (SELECT ?, 0 UNION ALL "
            "SELECT p.parent_pcode, up.depth + 1 FROM places p JOIN up ON p.pcode = up.pcode "
            "WHERE p.parent_pcode IS NOT NULL AND up.depth < 10) "
            f"SELECT {', '.join('p.' + c for c in _COLUMNS)} FROM up JOIN places p ON p.pcode = up.pcode "
            "ORDER BY up.depth DESC", (pcode,)).fetchall()
        return [_to_place(row) for row in rows]

    def path_label(self, pcode: str, language: str = "en", skip_country: bool = True) -> str:
        places = self.path(pcode)
        if skip_country and len(places) > 1 and places[0].level == 0:
            places = places[1:]
        return " › ".join(place.name(language) for place in places) or pcode

    def search(self, text: str, limit: int = 50) -> list[Place]:
        """Places whose name (any language, any level) matches every typed word, shallowest first."""
        match = fts_query(text)
        if not match:
            return []
        rows = self._db.execute(
            f"SELECT {', '.join('p.' + c for c in _COLUMNS)} FROM places_fts f JOIN places p ON p.pcode = f.pcode "
            "WHERE places_fts MATCH ? AND p.deleted = 0 ORDER BY p.level, p.name_fr, p.name_en LIMIT ?",
            (match, limit)).fetchall()
        by_code = [_to_place(row) for row in rows]
        prefix = text.strip().upper()
        if prefix.isalnum():
            # A typed P-code (CD61…) finds its places too.
            extra = self._db.execute(f"{self._select} WHERE pcode GLOB ? AND deleted = 0 ORDER BY level, pcode LIMIT ?",
                                     (prefix + "*", limit)).fetchall()
            seen = {place.pcode for place in by_code}
            by_code += [place for place in map(_to_place, extra) if place.pcode not in seen]
        return by_code[:limit]

    def children(self, pcode: str | None) -> list[Place]:
        if pcode is None:
            rows = self._db.execute(f"{self._select} WHERE parent_pcode IS NULL AND deleted = 0 ORDER BY pcode")
        else:
            rows = self._db.execute(f"{self._select} WHERE parent_pcode = ? AND deleted = 0 ORDER BY name_fr, name_en",
                                    (pcode,))
        return [_to_place(row) for row in rows]

    def list(self, level: int | None = None, limit: int | None = None, offset: int = 0) -> list[Place]:
        where, params = (" WHERE deleted = 0 AND level = ?", [level]) if level is not None else (" WHERE deleted = 0", [])
        paging = " LIMIT ? OFFSET ?" if limit is not None else ""
        rows = self._db.execute(f"{self._select}{where} ORDER BY level, pcode{paging}",
                                params + ([limit, offset] if limit is not None else []))
        return [_to_place(row) for row in rows]

    def count_by_level(self) -> dict[int, int]:
        return {level: n for level, n in self._db.execute(
            "SELECT level, count(*) FROM places WHERE deleted = 0 GROUP BY level ORDER BY level")}

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM places WHERE deleted = 0").fetchone()[0]
