"""What the Sync page and `fieldapp sites` / `fieldapp conflicts` show: each enrolled site with
its last bundles and gaps, and each open conflict described for a reviewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from fieldapp.i18n import N_, _
from fieldapp.store.sync_store import SyncStore, StoredVersion, columns
from fieldapp.sync.importer import Gap, missing_bundles
from fieldapp.sync.merge import NOT_CONTENT
from fieldapp.sync.site import ROLES
from fieldapp.sync.wire import stamp_site


@dataclass
class PeerStatus:
    site_id: str
    name: str
    office_code: str
    role: str
    fingerprint: str
    last_sent_at: str | None
    last_sent_seq: int | None
    last_received_at: str | None
    last_received_seq: int | None
    missing: list[Gap]  # runs of bundle numbers not received yet

    @property
    def role_label(self) -> str:
        return _(ROLES[self.role])


def peer_statuses(session) -> list[PeerStatus]:
    from fieldapp.sync.site import fingerprint

    store = SyncStore(session.connection)
    result = []
    for peer in store.peers():
        sent = store.last_sent(peer["site_id"])
        received = store.last_received(peer["site_id"])
        result.append(PeerStatus(
            peer["site_id"], peer["name"], peer["office_code"], peer["role"],
            fingerprint(peer["signing_key"], peer["age_recipient"]),
            sent["created_at"] if sent else None, sent["seq"] if sent else None,
            received["imported_at"] if received else None, received["seq"] if received else None,
            missing_bundles(store, peer["site_id"])))
    return result


def stamp_time(stamp: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(stamp[:15]) / 1000, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


TYPE_LABELS = {"referrals": N_("Referral"), "referral_services": N_("Referral service"), "alerts": N_("Alert"),
               "trainings": N_("Training"), "providers": N_("Provider"), "places": N_("Place")}


@dataclass
class ConflictView:
    """One open conflict: the version that lost, against the one in the vault now."""

    seq: int
    record_type: str
    record_id: str
    label: str  # survivor code, provider name, place name or title: what a person recognises
    other_site: str
    other_time: datetime | None
    current_site: str
    current_time: datetime | None
    fields: list[tuple[str, object, object]]  # (field, current value, other value)

    @property
    def type_label(self) -> str:
        return _(TYPE_LABELS.get(self.record_type, self.record_type))


_LABEL_FIELDS = ("survivor_code", "title", "name", "name_fr", "name_en", "source_code", "sector")


def open_conflicts(session, limit: int = 500) -> list[ConflictView]:
    store = SyncStore(session.connection)
    names = {peer["site_id"]: peer["name"] for peer in store.peers()}
    names[session.site_id] = _("{name} (this site)").format(name=session.site_name)
    views = []
    for stored in store.open_conflicts(limit):
        current = store.local_rows(stored.record_type, [stored.record_id]).get(stored.record_id)
        if current is None:
            continue
        views.append(_view(stored, dict(zip(columns(stored.record_type), current)), names))
    return views


def _view(stored: StoredVersion, current: dict, names: dict) -> ConflictView:
    other = stored.version
    changed = [(name, current.get(name), other.get(name)) for name in columns(stored.record_type)
               if name not in NOT_CONTENT and current.get(name) != other.get(name)]
    label = next((str(current[name]) for name in _LABEL_FIELDS if current.get(name)), stored.record_id)
    current_site = stamp_site(current["hlc"])
    return ConflictView(stored.seq, stored.record_type, stored.record_id, label,
                        names.get(stored.site, stored.site), stamp_time(stored.hlc),
                        names.get(current_site, current_site), stamp_time(current["hlc"]), changed)
