"""MARA repositories (docs/DESIGN.md 2.5, 2.6): incidents with their links, parties, commitments with
their items. Saving an incident with its links, or a commitment with its items, is one transaction.
"""

from __future__ import annotations

from datetime import date

from fieldapp.domain import mara
from fieldapp.domain.mara import Commitment, CommitmentItem, Incident, IncidentLink, Party
from fieldapp.domain.records import utc_now
from fieldapp.domain.validation import validate
from fieldapp.errors import NotFound, ValidationError
from fieldapp.i18n import _, ngettext
from fieldapp.store.convert import light_row
from fieldapp.store.db import transaction
from fieldapp.core.changes import Change, ListQuery
from fieldapp.store.repositories import Repository, fts_query

PERIOD = "coalesce(occurred_on, learned_on)"
_LINK_TABLES = {"referral": "referrals", "alert": "alerts"}


IncidentRow = light_row(Incident, (
    "seq", "id", "incident_code", "occurred_on", "learned_on", "verification", "location_pcode", "violation_types",
    "perpetrator_parties", "victims_girls", "victims_boys", "victims_women", "victims_men", "victims_unknown"),
    """What the Incidents list shows of an incident, under the record's own names: reading only
    these columns, converted when shown, keeps a page near the bare SELECT (docs/PERFORMANCE.md,
    MARA). The detail pane reads the whole record.""")


class IncidentRepository(Repository[Incident]):
    TABLE, RECORD, DATE_COLUMN = "incidents", Incident, PERIOD
    ROW = IncidentRow
    FTS = None  # searched in _where: its own index, and the names of the parties
    DEFAULT_SORT = "occurred_on"
    SORTS = {
        "occurred_on": PERIOD, "learned_on": "learned_on", "incident_code": "incident_code",
        "verification": "verification", "location_pcode": "location_pcode", "updated_at": "updated_at",
        "victims": "(victims_girls + victims_boys + victims_women + victims_men + victims_unknown)",
    }
    FILTERS = {
        "verification": "verification = ?",
        "status": "verification = ?",
        "violation_type": "seq IN (SELECT incident_seq FROM incident_violations WHERE violation = ?)",
        "type": "seq IN (SELECT incident_seq FROM incident_violations WHERE violation = ?)",
        "party": "seq IN (SELECT incident_seq FROM incident_parties WHERE party_id = ?)",
        "share_with_mara": "share_with_mara = ?",
        "context": "EXISTS (SELECT 1 FROM json_each(incidents.contexts) WHERE value = ?)",
        "source": "EXISTS (SELECT 1 FROM json_each(incidents.sources) WHERE value = ?)",
    }

    def _where(self, query: ListQuery) -> tuple[str, list]:
        where, params = super()._where(query)
        match = fts_query(query.search) if query.search.strip() else ""
        if not match:
            return where, params
        condition = ("(seq IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?) OR seq IN "
                     "(SELECT ip.incident_seq FROM incident_parties ip JOIN parties p ON p.id = ip.party_id "
                     "WHERE p.seq IN (SELECT rowid FROM parties_fts WHERE parties_fts MATCH ?)))")
        where = f"{where} AND {condition}" if where else f" WHERE {condition}"
        return where, params + [match, match]

    def next_incident_code(self, office_code: str, year: int) -> str:
        """OFFICE-I-YEAR-NNNN, one more than the highest of that office and year in this vault."""
        prefix = f"{office_code}-I-{year}-"
        row = self._db.execute(
            "SELECT max(CAST(substr(incident_code, ?) AS INTEGER)) FROM incidents WHERE incident_code GLOB ?",
            (len(prefix) + 1, prefix + "[0-9]*")).fetchone()
        return f"{prefix}{(row[0] or 0) + 1:04d}"

    def _check(self, record: Incident) -> None:
        validate(record)
        clash = self._db.execute("SELECT 1 FROM incidents WHERE incident_code = ? AND id != ? AND deleted = 0",
                                 (record.incident_code, record.id)).fetchone()
        if clash:
            raise ValidationError({"incident_code": _("Another incident already uses the code {code}.").format(
                code=record.incident_code)})
        wanted = [party for party in record.perpetrator_parties if party != mara.UNIDENTIFIED]
        if wanted:
            known = {row[0] for row in self._db.execute(
                f"SELECT id FROM parties WHERE deleted = 0 AND id IN ({', '.join('?' * len(wanted))})", wanted)}
            if set(wanted) - known:
                raise ValidationError({"perpetrator_parties": _("A party of this incident no longer exists.")})

    def _check_links(self, links: list[IncidentLink]) -> None:
        for link in links:
            table = _LINK_TABLES.get(link.kind)
            if table is None:
                raise ValidationError({"links": _("“{value}” is not an allowed value.").format(value=link.kind[:40])})
            row = self._db.execute(f"SELECT 1 FROM {table} WHERE id = ? AND deleted = 0", (link.target_id,)).fetchone()
            if row is None:
                message = (_("The linked referral no longer exists.") if link.kind == "referral"
                           else _("The linked alert no longer exists."))
                raise ValidationError({"links": message})

    # -- links ---------------------------------------------------------------------------------
    def links_of(self, incident_id: str) -> list[IncidentLink]:
        rows = self._db.execute("SELECT kind, target_id FROM incident_links WHERE incident_id = ? "
                                "ORDER BY kind, target_id", (incident_id,))
        return [IncidentLink(kind, target) for kind, target in rows]

    def linked_to(self, kind: str, target_id: str) -> list[str]:
        """Ids of the (live) incidents linked to one referral or alert."""
        rows = self._db.execute(
            "SELECT l.incident_id FROM incident_links l JOIN incidents i ON i.id = l.incident_id "
            "WHERE l.kind = ? AND l.target_id = ? AND i.deleted = 0 ORDER BY i.seq", (kind, target_id))
        return [row[0] for row in rows]

    def _replace_links(self, incident_id: str, links: list[IncidentLink]) -> None:
        self._db.execute("DELETE FROM incident_links WHERE incident_id = ?", (incident_id,))
        self._db.executemany("INSERT OR IGNORE INTO incident_links (incident_id, kind, target_id) VALUES (?, ?, ?)",
                             [(incident_id, link.kind, link.target_id) for link in links])

    def add_links(self, links: list[tuple[str, IncidentLink]]) -> None:
        """Many (incident id, link) pairs in one transaction with one audit entry (demo data, imports)."""
        if not links:
            return
        with transaction(self._db):
            self._db.executemany(
                "INSERT OR IGNORE INTO incident_links (incident_id, kind, target_id) VALUES (?, ?, ?)",
                [(incident_id, link.kind, link.target_id) for incident_id, link in links])
            self._writer.audit.append(self._writer.user, "bulk_link", Incident.KIND, "", {"count": len(links)})

    # -- saving --------------------------------------------------------------------------------
    def save(self, incident: Incident, links: list[IncidentLink] | None = None, *,
             verification_on: date | None = None, verification_note: str = "") -> Change:
        """Create or update `incident` and set its links, in one transaction.

        A change of verification status is recorded in its history, dated `verification_on`
        (today if not given), with the user who made it. `links=None` keeps the current links.
        """
        before = self.find(incident.id)
        if before is not None and before.deleted:
            raise NotFound(_("No record with id {id}.").format(id=incident.id))
        target = incident.verification
        incident.verification = before.verification if before else "reported"
        incident.verification_history = list(before.verification_history) if before else []
        if target in mara.INCIDENT_VERIFICATION:
            mara.change_verification(incident, target, on=verification_on or utc_now().date(),
                                     by=self._writer.user, note=verification_note)
        else:
            incident.verification = target  # refused by validation below, naming the field
        self._check(incident)
        new_links = sorted(set(links), key=lambda link: (link.kind, link.target_id)) if links is not None else None
        if new_links is not None:
            self._check_links(new_links)
        links_changed = new_links is not None and new_links != (self.links_of(incident.id) if before else [])
        with transaction(self._db):
            if before is None:
                self._stamp_new(incident, utc_now())
                self._insert(incident)
                self._writer.audit.append(self._writer.user, "create", Incident.KIND, incident.id,
                                          {"links": len(new_links or [])})
                change = Change(Incident.KIND, created=[incident.id])
            else:
                changed = self._changed_fields(before, incident)
                if not changed and not links_changed:
                    return Change(Incident.KIND)
                if changed:
                    incident.created_at, incident.created_by = before.created_at, before.created_by
                    incident.origin_site = before.origin_site
                    incident.updated_at = utc_now()
                    incident.hlc = self._writer.clock.now()
                    incident.deleted = False
                    self._write_version(incident)
                detail = {"fields": changed}
                if links_changed:
                    detail["links"] = len(new_links)
                self._writer.audit.append(self._writer.user, "update", Incident.KIND, incident.id, detail)
                change = Change(Incident.KIND, updated=[incident.id])
            if target != (before.verification if before else "reported") and target in mara.INCIDENT_VERIFICATION:
                self._writer.audit.append(self._writer.user, "verification", Incident.KIND, incident.id,
                                          {"to": target})
            if new_links is not None:
                self._replace_links(incident.id, new_links)
            self._writer.persist_clock()
        return change

    def create(self, record: Incident) -> Change:
        return self.save(record, [])

    def update(self, record: Incident) -> Change:
        return self.save(record, None)

    def delete(self, record_id: str) -> Change:
        """Tombstone, and its links go with it (they exist only here)."""
        record = self.get(record_id)
        with transaction(self._db):
            record.deleted = True
            record.updated_at = utc_now()
            record.hlc = self._writer.clock.now()
            self._write_version(record)
            self._db.execute("DELETE FROM incident_links WHERE incident_id = ?", (record_id,))
            self._writer.audit.append(self._writer.user, "delete", Incident.KIND, record_id)
            self._writer.persist_clock()
        return Change(Incident.KIND, deleted=[record_id])

    # -- Home ----------------------------------------------------------------------------------
    def awaiting_verification(self, learned_before: date, limit: int = 200) -> list[Incident]:
        """Incidents still reported or under verification that the office learned of before the day given."""
        rows = self._db.execute(
            f"{self._select} WHERE deleted = 0 AND verification IN ('reported', 'under_verification') "
            "AND learned_on < ? ORDER BY learned_on LIMIT ?", (learned_before.isoformat(), limit)).fetchall()
        return [self._to_record(row) for row in rows]

    def count_awaiting_verification(self, learned_before: date) -> int:
        return self._db.execute(
            "SELECT count(*) FROM incidents WHERE deleted = 0 AND verification IN ('reported', 'under_verification') "
            "AND learned_on < ?", (learned_before.isoformat(),)).fetchone()[0]


class PartyRepository(Repository[Party]):
    TABLE, RECORD, FTS = "parties", Party, "parties_fts"
    DEFAULT_SORT = "name"
    SORTS = {"name": "name COLLATE NOCASE", "short_name": "short_name COLLATE NOCASE",
             "party_type": "party_type", "listed_since": "listed_since", "updated_at": "updated_at"}
    FILTERS = {"party_type": "party_type = ?", "type": "party_type = ?"}

    def _check(self, record: Party) -> None:
        validate(record)
        clash = self._db.execute("SELECT 1 FROM parties WHERE lower(name) = lower(?) AND id != ? AND deleted = 0",
                                 (record.name.strip(), record.id)).fetchone()
        if clash:
            raise ValidationError({"name": _("Another party already has the name {name}.").format(name=record.name)})

    def all(self) -> list[Party]:
        return self.list(ListQuery(sort="name", descending=False))

    def names(self) -> dict[str, str]:
        """{id: short name or name} of every party, tombstones too (an old incident may name one)."""
        rows = self._db.execute("SELECT id, name, short_name FROM parties")
        return {record_id: short or name for record_id, name, short in rows}

    def delete(self, record_id: str) -> Change:
        used = self._db.execute(
            "SELECT count(*) FROM incident_parties ip JOIN incidents i ON i.seq = ip.incident_seq "
            "WHERE ip.party_id = ? AND i.deleted = 0", (record_id,)).fetchone()[0]
        if used:
            raise ValidationError({"party": ngettext("This party is named in {count} incident; it cannot be deleted.",
                                          "This party is named in {count} incidents; it cannot be deleted.",
                                          used).format(count=used)})
        return super().delete(record_id)


class CommitmentItemRepository(Repository[CommitmentItem]):
    TABLE, RECORD, DATE_COLUMN = "commitment_items", CommitmentItem, "due_on"
    DEFAULT_SORT = "due_on"
    SORTS = {"due_on": "due_on", "status": "status", "reviewed_on": "reviewed_on", "created_at": "created_at",
             "updated_at": "updated_at"}
    FILTERS = {"commitment_id": "commitment_id = ?", "status": "status = ?"}

    def for_commitment(self, commitment_id: str) -> list[CommitmentItem]:
        return self.list(ListQuery(filters={"commitment_id": commitment_id}, sort="created_at", descending=False))

    # Writes inside the caller's transaction (a commitment saved with its items), audited.
    def insert_in_transaction(self, item: CommitmentItem, now) -> None:
        self._stamp_new(item, now)
        self._insert(item)
        self._writer.audit.append(self._writer.user, "create", CommitmentItem.KIND, item.id,
                                  {"commitment_id": item.commitment_id})

    def update_in_transaction(self, old: CommitmentItem, item: CommitmentItem, now) -> bool:
        changed = self._changed_fields(old, item)
        if not changed:
            return False
        item.created_at, item.created_by, item.origin_site = old.created_at, old.created_by, old.origin_site
        item.updated_at, item.hlc, item.deleted = now, self._writer.clock.now(), False
        self._write_version(item)
        self._writer.audit.append(self._writer.user, "update", CommitmentItem.KIND, item.id, {"fields": changed})
        return True

    def tombstone_in_transaction(self, item: CommitmentItem, now, audit: bool = True) -> None:
        item.deleted, item.updated_at, item.hlc = True, now, self._writer.clock.now()
        self._write_version(item)
        if audit:
            self._writer.audit.append(self._writer.user, "delete", CommitmentItem.KIND, item.id)

    def overdue(self, today: date, limit: int = 200) -> list[CommitmentItem]:
        """Items not started or in progress whose due date has passed, of live commitments."""
        rows = self._db.execute(
            f"SELECT {', '.join('x.' + c for c in self._columns)} FROM commitment_items x "
            "JOIN commitments c ON c.id = x.commitment_id AND c.deleted = 0 "
            f"WHERE x.deleted = 0 AND x.status IN ({', '.join('?' * len(mara.OPEN_ITEM_STATUSES))}) "
            "AND x.due_on IS NOT NULL AND x.due_on < ? ORDER BY x.due_on LIMIT ?",
            (*mara.OPEN_ITEM_STATUSES, today.isoformat(), limit)).fetchall()
        return [self._to_record(row) for row in rows]


class CommitmentRepository(Repository[Commitment]):
    TABLE, RECORD, DATE_COLUMN = "commitments", Commitment, "signed_on"
    DEFAULT_SORT = "signed_on"
    SORTS = {"signed_on": "signed_on", "title": "title COLLATE NOCASE", "kind": "kind", "updated_at": "updated_at"}
    FILTERS = {"party_id": "party_id = ?", "kind": "kind = ?", "type": "kind = ?"}

    def __init__(self, writer, items: CommitmentItemRepository):
        super().__init__(writer)
        self._items = items

    def for_party(self, party_id: str) -> list[Commitment]:
        return self.list(ListQuery(filters={"party_id": party_id}, sort="signed_on", descending=True))

    def _check(self, record: Commitment) -> None:
        validate(record)
        row = self._db.execute("SELECT 1 FROM parties WHERE id = ? AND deleted = 0", (record.party_id,)).fetchone()
        if row is None:
            raise ValidationError({"party_id": _("The party of this commitment no longer exists.")})

    def save(self, commitment: Commitment, items: list[CommitmentItem],
             removed_item_ids: list[str] = ()) -> list[Change]:
        """The commitment, its new and changed items, and the items removed, saved or refused whole."""
        before = self.find(commitment.id)
        if before is not None and before.deleted:
            raise NotFound(_("No record with id {id}.").format(id=commitment.id))
        self._check(commitment)
        for index, item in enumerate(items):
            item.commitment_id = commitment.id
            try:
                validate(item)
            except ValidationError as error:
                raise ValidationError({f"items[{index}].{name}": _("Item {n}: {problem}").format(
                    n=index + 1, problem=problem) for name, problem in error.problems.items()}) from None
        old_items = {item.id: item for item in self._items.for_commitment(commitment.id)} if before else {}
        for item_id in removed_item_ids:
            if item_id not in old_items:
                raise NotFound(_("No record with id {id}.").format(id=item_id))
        now = utc_now()
        commitment_change, item_change = Change(Commitment.KIND), Change(CommitmentItem.KIND)
        with transaction(self._db):
            if before is None:
                self._stamp_new(commitment, now)
                self._insert(commitment)
                self._writer.audit.append(self._writer.user, "create", Commitment.KIND, commitment.id)
                commitment_change.created.append(commitment.id)
            else:
                changed = self._changed_fields(before, commitment)
                if changed:
                    commitment.created_at, commitment.created_by = before.created_at, before.created_by
                    commitment.origin_site = before.origin_site
                    commitment.updated_at, commitment.hlc = now, self._writer.clock.now()
                    commitment.deleted = False
                    self._write_version(commitment)
                    self._writer.audit.append(self._writer.user, "update", Commitment.KIND, commitment.id,
                                              {"fields": changed})
                    commitment_change.updated.append(commitment.id)
            for item in items:
                old = old_items.get(item.id)
                if old is None:
                    self._items.insert_in_transaction(item, now)
                    item_change.created.append(item.id)
                elif self._items.update_in_transaction(old, item, now):
                    item_change.updated.append(item.id)
            for item_id in removed_item_ids:
                self._items.tombstone_in_transaction(old_items[item_id], now)
                item_change.deleted.append(item_id)
            self._writer.persist_clock()
        return [commitment_change, item_change]

    def create(self, record: Commitment) -> Change:
        return self.save(record, [])[0]

    def update(self, record: Commitment) -> Change:
        return self.save(record, [])[0]

    def delete(self, record_id: str) -> Change:
        """Tombstones the commitment and its items together."""
        record = self.get(record_id)
        items = self._items.for_commitment(record_id)
        now = utc_now()
        with transaction(self._db):
            record.deleted, record.updated_at, record.hlc = True, now, self._writer.clock.now()
            self._write_version(record)
            for item in items:
                self._items.tombstone_in_transaction(item, now, audit=False)
            self._writer.audit.append(self._writer.user, "delete", Commitment.KIND, record_id,
                                      {"items": len(items)})
            self._writer.persist_clock()
        return Change(Commitment.KIND, deleted=[record_id])
