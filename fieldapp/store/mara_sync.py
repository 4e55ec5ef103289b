"""The SQL of MARA sync (docs/DESIGN.md 6.3): which incidents and parties a bundle carries.

Field offices send the incidents marked `share_with_mara`, without their notes (their links are
in a table that never travels), and a redacted tombstone for one that was shared and no longer
is, and the parties, commitments and items they created; headquarters sends the whole mission
list of parties, commitments and items, those the field offices created included. Decisions are made in fieldapp.sync.mara.
"""

from __future__ import annotations

from typing import Iterator

from fieldapp.domain.synced import RELAYED_TABLES
from fieldapp.store.sync_store import STAMP_SITE, batched, columns

# What a bundle must never carry, replaced in the query itself so it never leaves SQLite.
_BLANKED = {"notes": "''"}


# The mission list headquarters keeps and relays (domain/synced.py).
def _mission_table(table: str) -> str:
    if table not in RELAYED_TABLES:
        raise ValueError(table)
    return table


class MaraSyncStore:
    def __init__(self, connection):
        self._db = connection

    def shared_incidents(self, since: str, own_site: str) -> Iterator[tuple]:
        """Incidents shared with MARA, last written here after `since`, notes blanked."""
        cols = columns("incidents")
        select = ", ".join(_BLANKED.get(name, name) for name in cols)
        sql = (f"SELECT {select}, seq FROM incidents WHERE seq > ? AND hlc > ? AND share_with_mara = 1 "
               f"AND {STAMP_SITE.format(column='hlc')} = ? ORDER BY seq LIMIT ?")
        return batched(self._db, sql, [since, own_site], len(cols))

    def withdrawn_incidents(self, since: str, peer_site: str) -> Iterator[tuple]:
        """(id, created_at, updated_at, hlc, origin_site) of incidents this peer has had that are no
        longer shared with MARA."""
        sql = ("SELECT i.id, i.created_at, i.updated_at, i.hlc, i.origin_site, i.seq FROM incidents i "
               "JOIN sync_shared x ON x.record_id = i.id AND x.withdrawn = 0 "
               "WHERE i.seq > ? AND x.peer_site = ? AND i.share_with_mara = 0 AND i.hlc > ? ORDER BY i.seq LIMIT ?")
        return batched(self._db, sql, [peer_site, since], 5)

    def mark_shared_incidents(self, peer_site: str, since: str, own_site: str) -> None:
        self._db.execute(
            "INSERT INTO sync_shared (peer_site, record_id, withdrawn) "
            "SELECT ?, id, 0 FROM incidents WHERE hlc > ? AND share_with_mara = 1 "
            f"AND {STAMP_SITE.format(column='hlc')} = ? "
            "ON CONFLICT (peer_site, record_id) DO UPDATE SET withdrawn = 0", (peer_site, since, own_site))
        self._db.execute(
            "UPDATE sync_shared SET withdrawn = 1 WHERE peer_site = ? AND withdrawn = 0 AND record_id IN "
            "(SELECT id FROM incidents WHERE share_with_mara = 0 AND hlc > ?)", (peer_site, since))

    def own_rows(self, table: str, since: str, own_site: str, peer_site: str) -> Iterator[tuple]:
        """Parties, commitments or items this site created and last wrote: after `since`, or never
        sent to this peer (written by a version of fieldapp that kept field commitments home)."""
        cols = columns(_mission_table(table))
        sql = (f"SELECT {', '.join(cols)}, seq FROM {table} WHERE seq > ? AND origin_site = ? "
               f"AND {STAMP_SITE.format(column='hlc')} = ? AND (hlc > ? OR NOT EXISTS "
               f"(SELECT 1 FROM sync_shared x WHERE x.peer_site = ? AND x.record_id = {table}.id)) "
               "ORDER BY seq LIMIT ?")
        return batched(self._db, sql, [own_site, own_site, since, peer_site], len(cols))

    def mark_own_rows(self, peer_site: str, own_site: str) -> None:
        """After a bundle to `peer_site`: it has every party, commitment and item this site made."""
        for table in RELAYED_TABLES:
            self._db.execute(f"INSERT INTO sync_shared (peer_site, record_id, withdrawn) SELECT ?, id, 0 FROM {table} "
                             "WHERE origin_site = ? ON CONFLICT (peer_site, record_id) DO NOTHING",
                             (peer_site, own_site))

    def mission_rows(self, table: str, since: str, own_site: str, peer_site: str) -> Iterator[tuple]:
        """What headquarters sends a field office of the mission's list: the versions it wrote after
        `since`, and every version another field office wrote, whenever it arrived (a stamp says
        when a version was written, not when it reached headquarters; the lists are short). Never
        the peer's own versions: it has them, or newer."""
        cols = columns(_mission_table(table))
        site = STAMP_SITE.format(column="hlc")
        sql = (f"SELECT {', '.join(cols)}, seq FROM {table} WHERE seq > ? AND {site} != ? "
               f"AND (hlc > ? OR {site} != ?) ORDER BY seq LIMIT ?")
        return batched(self._db, sql, [peer_site, since, own_site], len(cols))
