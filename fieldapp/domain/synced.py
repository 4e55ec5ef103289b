"""The one registry of synced tables (docs/DESIGN.md 6): each table a bundle may carry, its record type,
the name of its kind in the audit log and the conflicts table, its label, and which way it travels.

The store formats table names only from here (never from input); sync decides from here what a
bundle between a field office and headquarters carries.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.domain.mara import Commitment, CommitmentItem, Incident, Party
from fieldapp.domain.records import Alert, Place, Provider, Referral, ReferralService, Training
from fieldapp.i18n import N_


@dataclass(frozen=True)
class SyncedTable:
    name: str
    record: type
    label: str  # marked with N_, translated when shown
    from_field: bool  # a field office's bundle to headquarters carries it
    from_headquarters: bool  # headquarters' bundle to a field office carries it
    mara: bool = False  # its rows are chosen by fieldapp.sync.mara (docs/DESIGN.md 6.3)
    relayed: bool = False  # headquarters passes on to every field office what one field office created

    @property
    def kind(self) -> str:
        """The record kind, as the audit log and the conflicts table name it."""
        return getattr(self.record, "KIND", "place")

    @property
    def key(self) -> str:
        return "pcode" if self.record is Place else "id"


# In bundle order: a party travels before the incidents and commitments that name it.
SYNCED = (
    SyncedTable("referrals", Referral, N_("Referrals"), True, False),
    SyncedTable("referral_services", ReferralService, N_("Referral services"), True, False),
    SyncedTable("alerts", Alert, N_("Alerts"), True, False),
    SyncedTable("trainings", Training, N_("Trainings"), True, False),
    SyncedTable("providers", Provider, N_("Providers"), False, True),
    SyncedTable("places", Place, N_("Places"), False, True),
    SyncedTable("parties", Party, N_("Parties to conflict"), True, True, mara=True, relayed=True),
    SyncedTable("incidents", Incident, N_("CRSV incidents"), True, False, mara=True),
    SyncedTable("commitments", Commitment, N_("Commitments"), True, True, mara=True, relayed=True),
    SyncedTable("commitment_items", CommitmentItem, N_("Commitment items"), True, True, mara=True, relayed=True),
)
BY_NAME = {table.name: table for table in SYNCED}
BY_KIND = {table.kind: table for table in SYNCED}
FIELD_TABLES = tuple(table.name for table in SYNCED if table.from_field)
HEADQUARTERS_TABLES = tuple(table.name for table in SYNCED if table.from_headquarters)
MARA_TABLES = tuple(table.name for table in SYNCED if table.mara)
RELAYED_TABLES = tuple(table.name for table in SYNCED if table.relayed)
