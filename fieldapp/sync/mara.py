"""What MARA tables a bundle carries (docs/DESIGN.md 6.3), and the checks on what arrives.

Field -> headquarters: the parties, commitments and commitment items the field office created,
and the incidents marked `share_with_mara`, never with their notes, their links to referrals and
alerts (kept in a table that never travels) or the notes of their verification history; an
incident shared once and then kept out goes as a tombstone that carries nothing but its id.

Headquarters -> field: the mission's list (docs/DESIGN.md 2.6: headquarters keeps it, a field office
may add a party it meets first): every party, commitment and item, those another field office
created included, so a party met in Beni reaches Bunia through headquarters. These are the only
versions a site accepts from a sender that did not write them, and only from headquarters: each
was written by headquarters itself or by the site that created the record (`relayed_by_ok`).
"""

from __future__ import annotations

import json
from typing import Iterator

from fieldapp.i18n import _
from fieldapp.store.mara_sync import MaraSyncStore
from fieldapp.store.sync_store import columns

# (table, column) -> the table the column must name a record of.
REFERENCES = {("commitments", "party_id"): "parties", ("commitment_items", "commitment_id"): "commitments"}


def redacted_incident(record_id: str, created_at: str, updated_at: str, stamp: str, origin_site: str) -> tuple:
    values = {name: None for name in columns("incidents")}
    values.update(id=record_id, created_at=created_at, updated_at=updated_at, hlc=stamp, origin_site=origin_site,
                  deleted=1, created_by="", incident_code="", occurred_precision="unknown", location_pcode="",
                  locality="", violation_types="[]", contexts="[]", victims_girls=0, victims_boys=0, victims_women=0,
                  victims_men=0, victims_unknown=0, perpetrator_parties="[]", sources="[]", verification="reported",
                  verification_history="[]", share_with_mara=0, share_reason="", actions_taken="", notes="")
    return tuple(values[name] for name in columns("incidents"))


_HISTORY = columns("incidents").index("verification_history")


def _without_history_notes(row: tuple) -> tuple:
    history = json.loads(row[_HISTORY] or "[]")
    if not any(entry.get("note") for entry in history):
        return row
    for entry in history:
        entry["note"] = ""
    values = list(row)
    values[_HISTORY] = json.dumps(history, ensure_ascii=False, separators=(",", ":"))
    return tuple(values)


def member_rows(connection, table: str, since: str, own_site: str, peer_site: str,
                to_headquarters: bool) -> Iterator[tuple]:
    """The rows of one MARA member (a table of domain.synced.MARA_TABLES)."""
    store = MaraSyncStore(connection)
    if table == "incidents":
        yield from (_without_history_notes(row) for row in store.shared_incidents(since, own_site))
        for values in store.withdrawn_incidents(since, peer_site):
            yield redacted_incident(*values)
    elif to_headquarters:
        yield from store.own_rows(table, since, own_site, peer_site)
    else:
        yield from store.mission_rows(table, since, own_site, peer_site)


def relayed_by_ok(writer_site: str, origin_site: str, sender: str) -> bool:
    """A version headquarters relays was written by headquarters or by the record's creator."""
    return writer_site in (sender, origin_site)


def after_export(connection, peer_site: str, since: str, own_site: str, field_site: bool) -> None:
    if field_site:
        store = MaraSyncStore(connection)
        store.mark_shared_incidents(peer_site, since, own_site)
        store.mark_own_rows(peer_site, own_site)


def check_received(table: str, values: dict) -> str | None:
    """A problem with a received, well-typed, live MARA row, or None."""
    if table == "incidents":
        if not values["share_with_mara"]:
            return _("an incident not shared with MARA was sent")
        if values["notes"]:
            return _("an incident was sent with its notes")
    return None


def check_references(table: str, rows: list[tuple], other_tables) -> str | None:
    """A commitment must name a party, an item a commitment, never a record of another kind."""
    cols = columns(table)
    for (owner_table, column), target in REFERENCES.items():
        if owner_table != table:
            continue
        index = cols.index(column)
        clash = other_tables(target, [row[index] for row in rows])
        if clash:
            record_id, other = next(iter(clash.items()))
            return _("A record of {table} refers to {id} as its {column}, but that is a record of {other}.").format(
                table=table, id=record_id, column=column, other=other)
    return None
