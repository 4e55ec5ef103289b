"""Merging received versions into the vault (docs/DESIGN.md 6.3), and resolving conflicts.

Per record, the version with the greatest clock stamp wins; the stamp ends with the writing
site's id, so two versions never tie. For every other site that wrote the record, the newest
version it wrote is kept in `sync_conflicts`; one whose content differs from the winner is a
conflict for a person to review. Both the winner and that set are functions of the set of
versions seen, so importing bundles in any order, any number of times, ends in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldapp.domain.records import utc_now
from fieldapp.i18n import _
from fieldapp.store.convert import datetime_to_text
from fieldapp.store.db import transaction
from fieldapp.core.changes import Change
from fieldapp.domain.synced import SYNCED
from fieldapp.store.sync_store import UUID_TABLES, SyncStore, columns, key_column
from fieldapp.sync.mara import check_references as mara_references
from fieldapp.sync.site import SyncError, now_text
from fieldapp.sync.wire import stamp_site

# Fields that differ between versions without being an edit anyone made.
NOT_CONTENT = {"hlc", "updated_at", "origin_site", "created_at", "created_by"}
OUTCOMES = ("new", "updated", "unchanged", "conflicts")


class MergeProblem(SyncError):
    pass


def content_indexes(table: str) -> tuple[int, ...]:
    return tuple(i for i, name in enumerate(columns(table)) if name not in NOT_CONTENT)


@dataclass
class RecordState:
    """What the vault holds for one record: the winning row and the newest row of each other site."""

    winner: tuple | None
    others: dict[str, tuple] = field(default_factory=dict)


def merge_version(state: RecordState, incoming: tuple, hlc_index: int) -> str:
    """Fold one received row into `state`; returns "new", "updated" or "unchanged"."""
    stamp = incoming[hlc_index]
    site = stamp_site(stamp)
    winner = state.winner
    if winner is None:
        state.winner = incoming
        state.others.pop(site, None)
        return "new"
    if stamp == winner[hlc_index]:
        return "unchanged"
    if stamp > winner[hlc_index]:
        previous_site = stamp_site(winner[hlc_index])
        if previous_site != site:
            kept = state.others.get(previous_site)
            if kept is None or kept[hlc_index] < winner[hlc_index]:
                state.others[previous_site] = winner
        state.winner = incoming
        state.others.pop(site, None)
        return "updated"
    # An older version: superseded if its site wrote the winner, else a candidate loser.
    if site != stamp_site(winner[hlc_index]):
        kept = state.others.get(site)
        if kept is None or kept[hlc_index] < stamp:
            state.others[site] = incoming
    return "unchanged"


def normalise(state: RecordState, hlc_index: int) -> None:
    """A local edit made after a merge leaves a stale row of the winner's own site: drop it."""
    if state.winner is not None:
        site = stamp_site(state.winner[hlc_index])
        kept = state.others.get(site)
        if kept is not None and kept[hlc_index] <= state.winner[hlc_index]:
            del state.others[site]


def differing(state: RecordState, content: tuple[int, ...]) -> dict[str, tuple]:
    """The other sites' versions whose content differs from the winner's: the conflicts."""
    if state.winner is None:
        return {}
    winning = [state.winner[i] for i in content]
    return {site: row for site, row in state.others.items() if [row[i] for i in content] != winning}


class TableMerger:
    """Merges the rows of one table of one bundle, batch by batch, inside the caller's transaction."""

    def __init__(self, store: SyncStore, table: str, sender: str, bundle_id: str):
        self.store, self.table, self.sender, self.bundle_id = store, table, sender, bundle_id
        self.columns = columns(table)
        self.key_index = self.columns.index(key_column(table))
        self.hlc_index = self.columns.index("hlc")
        self.origin_index = self.columns.index("origin_site")
        self.content = content_indexes(table)
        self.counts = dict.fromkeys(OUTCOMES, 0)
        self.newest = ""
        self.detected_at = now_text()

    def _check_ids(self, rows: list[tuple], local: dict[str, tuple]) -> None:
        if self.table not in UUID_TABLES:
            return
        keys = [row[self.key_index] for row in rows]
        clash = self.store.ids_in_other_tables(self.table, keys)
        if clash:
            record_id, other = next(iter(clash.items()))
            raise MergeProblem(_("Record {id} of {table} has the id of a record of {other}.").format(
                id=record_id, table=self.table, other=other))
        # A record's creator never changes. Received from its creator (the wire checks that), or
        # relayed by headquarters (fieldapp.sync.mara), a version must name the creator on record.
        creators = {key: row[self.origin_index] for key, row in local.items()}
        for row in rows:
            key = row[self.key_index]
            if creators.setdefault(key, row[self.origin_index]) != row[self.origin_index]:
                raise MergeProblem(_("Record {id} of {table} belongs to another site.").format(
                    id=key, table=self.table))
        problem = mara_references(self.table, rows, self.store.ids_in_other_tables)
        if problem:
            raise MergeProblem(problem)
        # A service's referral_id and provider_id may name records not received yet, but never a
        # record of another kind, whichever of the two arrives first.
        for column, owner in (("referral_id", "referrals"), ("provider_id", "providers")):
            if self.table != owner:
                used = self.store.ids_referenced_by_services(column, keys)
                if self.table == "referral_services":
                    used |= set(keys) & {row[self.columns.index(column)] for row in rows}
                if used:
                    raise MergeProblem(_("A service refers to {id} as its {column}, but that is a record of "
                                         "{other}.").format(id=next(iter(used)), column=column, other=self.table))
            if self.table == "referral_services":
                index = self.columns.index(column)
                clash = self.store.ids_in_other_tables(owner, [row[index] for row in rows])
                if clash:
                    record_id, other = next(iter(clash.items()))
                    raise MergeProblem(_("A service refers to {id} as its {column}, but that is a record of "
                                         "{other}.").format(id=record_id, column=column, other=other))

    def merge_batch(self, rows: list[tuple]) -> None:
        keys = list(dict.fromkeys(row[self.key_index] for row in rows))
        local = self.store.local_rows(self.table, keys)
        self._check_ids(rows, local)
        stored = self.store.stored_versions(self.table, keys)
        states: dict[str, RecordState] = {}
        before: dict[str, tuple[dict, dict]] = {}
        for key in keys:
            others = {version.site: self._row(version.version) for version in stored.get(key, [])}
            state = RecordState(local.get(key), others)
            before[key] = (dict(others), {v.site: v.differs for v in stored.get(key, [])})
            normalise(state, self.hlc_index)
            states[key] = state
        for row in rows:
            key = row[self.key_index]
            outcome = merge_version(states[key], row, self.hlc_index)
            self.counts[outcome] += 1
            self.newest = max(self.newest, row[self.hlc_index])
        self._write(keys, local, states, before)

    def _row(self, version: dict) -> tuple:
        return tuple(version.get(name) for name in self.columns)

    def _write(self, keys, local, states, before) -> None:
        inserts, updates = [], []
        for key in keys:
            state = states[key]
            if key not in local:
                inserts.append(state.winner)
            elif state.winner != local[key]:
                updates.append(state.winner)
            old_others, old_differs = before[key]
            now_differ = differing(state, self.content)
            for site in old_others.keys() - state.others.keys():
                self.store.drop_version(self.table, key, site)
            new_conflict = False
            for site, row in state.others.items():
                differs = site in now_differ
                if site not in old_others or old_others[site][self.hlc_index] != row[self.hlc_index]:
                    self.store.put_version(self.table, key, site, row[self.hlc_index],
                                           dict(zip(self.columns, row)), differs, self.detected_at, self.bundle_id)
                    new_conflict = new_conflict or differs
                elif old_differs.get(site) != differs:
                    self.store.set_differs(self.table, key, site, differs)
                    new_conflict = new_conflict or differs
            if new_conflict:
                self.counts["conflicts"] += 1
        if inserts:
            self.store.insert_rows(self.table, inserts)
        if updates:
            self.store.update_rows(self.table, updates)


# -- resolving conflicts ---------------------------------------------------------------------------
KINDS = {table.name: table.kind for table in SYNCED}


def keep_winner(session, conflict_seq: int) -> Change:
    """The reviewer keeps the current version; the other one stays on record as reviewed."""
    store = SyncStore(session.connection)
    conflict = _open_conflict(store, conflict_seq)
    with transaction(session.connection):
        store.resolve(conflict.seq, "kept", now_text(), session.user)
        session.audit.append(session.user, "conflict_kept", KINDS[conflict.record_type], conflict.record_id,
                             {"other_site": conflict.site, "other_stamp": conflict.hlc})
    return Change(KINDS[conflict.record_type])


def restore_other(session, conflict_seq: int) -> Change:
    """The reviewer restores the losing version: it is written again as a new local version."""
    store = SyncStore(session.connection)
    conflict = _open_conflict(store, conflict_seq)
    table, key = conflict.record_type, conflict.record_id
    cols = columns(table)
    hlc_index = cols.index("hlc")
    current = store.local_rows(table, [key]).get(key)
    if current is None:
        raise MergeProblem(_("The record of this conflict no longer exists."))
    restored = dict(zip(cols, current))
    for name in cols:
        if name not in NOT_CONTENT:
            restored[name] = conflict.version.get(name)
    with transaction(session.connection):
        restored["hlc"] = session.clock.now()
        restored["updated_at"] = datetime_to_text(utc_now())
        row = tuple(restored[name] for name in cols)
        store.update_rows(table, [row])
        when = now_text()
        displaced_site = stamp_site(current[hlc_index])
        if displaced_site != session.site_id:
            # The version just replaced was chosen against: on record, already reviewed.
            store.put_version(table, key, displaced_site, current[hlc_index], dict(zip(cols, current)), True, when, "")
            store.resolve_others(table, key, "replaced", when, session.user)
        if conflict.site == session.site_id:
            store.drop_version(table, key, conflict.site)
        else:
            store.set_differs(table, key, conflict.site, False)
            store.resolve(conflict.seq, "restored", when, session.user)
        session.audit.append(session.user, "conflict_restored", KINDS[table], key,
                             {"other_site": conflict.site, "other_stamp": conflict.hlc})
        session.writer.persist_clock()
    return Change(KINDS[table], updated=[key])


def _open_conflict(store: SyncStore, conflict_seq: int):
    conflict = store.conflict(conflict_seq)
    if conflict is None or not conflict.differs:
        raise MergeProblem(_("There is no conflict number {n}.").format(n=conflict_seq))
    if conflict.resolution:
        raise MergeProblem(_("Conflict {n} was already reviewed.").format(n=conflict_seq))
    return conflict
