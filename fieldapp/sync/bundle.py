"""Writing a sync bundle (docs/DESIGN.md 6.2): `<from>-to-<to>-<YYYYMMDD>-<seq>.fieldbundle`, an age file
encrypted to the recipient site and to the sender, holding a tar of manifest.json, manifest.sig
(Ed25519 over the manifest bytes) and one JSON-lines member per table.

Field offices send referrals that have consent to reporting (others, and their services, are
left out entirely), services, alerts and trainings; headquarters sends the directory and the
gazetteer. Everything is streamed: the rows are read twice in one transaction, first to hash
them for the manifest, then to write them, so neither the bundle nor a table is ever in memory.
The file name carries the office codes of the sender and the recipient, the date and the
sequence number (`BNI-to-KIN-20261201-0001.fieldbundle`), so people can tell their files apart on
a USB stick; it shows no more than the codes and the date (README, Security). Import reads only
the file's content: a renamed bundle imports the same.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from fieldapp.domain.records import utc_now
from fieldapp.domain.synced import FIELD_TABLES, HEADQUARTERS_TABLES, MARA_TABLES, SYNCED
from fieldapp.fileio import atomic_writer, is_out_of_space, out_of_space_message, space_problem
from fieldapp.i18n import _
from fieldapp.store import db
from fieldapp.store.convert import datetime_to_text
from fieldapp.store.sync_store import SyncStore
from fieldapp.core import agestream
from fieldapp.sync import tarstream, wire
from fieldapp.sync import mara as mara_sync
from fieldapp.sync.site import FIELD, HEADQUARTERS, ROLES, Site, SyncError, now_text

FORMAT = "fieldapp-bundle"
FORMAT_VERSION = 1
SUFFIX = ".fieldbundle"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
TABLE_LABELS = {table.name: table.label for table in SYNCED}
CHUNK = 64 * 1024
PROGRESS_EVERY = 1000

Progress = Callable[[int, int], None]


class SyncCancelled(SyncError):
    def __init__(self):
        super().__init__(_("Cancelled; nothing was changed."))


def tables_for(sender_role: str, recipient_role: str) -> tuple[str, ...] | None:
    """What a bundle from one role to the other carries; None if they cannot exchange bundles."""
    if sender_role == FIELD and recipient_role == HEADQUARTERS:
        return FIELD_TABLES
    if sender_role == HEADQUARTERS and recipient_role == FIELD:
        return HEADQUARTERS_TABLES
    return None


def file_code(office_code: str, site_id: str) -> str:
    """An office code as it may stand in a file name on any file system: ASCII letters and digits
    (accents dropped), at most 8; the start of the site id when nothing is left."""
    plain = unicodedata.normalize("NFKD", office_code or "").encode("ascii", "ignore").decode("ascii")
    code = re.sub(r"[^A-Za-z0-9]", "", plain).upper()[:8]
    return code or re.sub(r"[^A-Za-z0-9]", "", site_id)[:8] or "SITE"


def bundle_file_name(sender_code: str, sender_id: str, recipient_code: str, recipient_id: str, created: datetime,
                     seq: int) -> str:
    """`BNI-to-KIN-20261201-0001.fieldbundle`, dated by the sender's calendar (its local day)."""
    return (f"{file_code(sender_code, sender_id)}-to-{file_code(recipient_code, recipient_id)}-"
            f"{created.astimezone().strftime('%Y%m%d')}-{seq:04d}{SUFFIX}")


def free_path(folder: Path, name: str, recipient_id: str) -> Path:
    """`folder/name`, or a variant of it when a file of that name is there already (two offices
    with the same code, a vault made again): a bundle never replaces another one."""
    path = Path(folder) / name
    stem = name[:-len(SUFFIX)]
    number = 1
    while path.exists():
        extra = f"-{recipient_id[:8]}" if number == 1 else f"-{recipient_id[:8]}-{number}"
        path = Path(folder) / f"{stem}{extra}{SUFFIX}"
        number += 1
    return path


def same_role_message(peer_name: str, role: str) -> str:
    return _("This office and {name} are both {role}: data files go between field offices and headquarters.").format(
        name=peer_name, role=_(ROLES[role]))


@dataclass
class ExportResult:
    path: Path
    peer_name: str
    seq: int
    full: bool
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Ticker:
    """Progress reports and cancellation checks every PROGRESS_EVERY records."""

    def __init__(self, progress: Progress | None, cancelled: Callable[[], bool] | None, total: int = 0):
        self.progress, self.cancelled, self.total, self.done = progress, cancelled, total, 0

    def tick(self) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            self.check()
            if self.progress:
                self.progress(self.done, self.total)

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise SyncCancelled()


def _member_lines(store: SyncStore, table: str, since: str, site: Site, peer_site: str) -> Iterator[bytes]:
    own = site.site_id
    if table == "referrals":
        yield from (wire.encode_row(table, row) for row in store.shared_referrals(since, own))
        for values in store.withdrawn_referrals(since, peer_site):
            yield wire.encode_row(table, wire.redacted_referral(*values))
    elif table == "referral_services":
        yield from (wire.encode_row(table, row) for row in store.shared_services(since, own, peer_site))
        for values in store.withdrawn_services(since, peer_site):
            yield wire.encode_row(table, wire.redacted_service(*values))
    elif table in MARA_TABLES:
        rows = mara_sync.member_rows(site.session.connection, table, since, own, peer_site,
                                     to_headquarters=site.role == FIELD)
        yield from (wire.encode_row(table, row) for row in rows)
    else:
        yield from (wire.encode_row(table, row) for row in store.changed_rows(table, since, own))


def _newest_stamp(line: bytes) -> str:
    # Cheaper than decoding the line again: the encoder writes `"hlc":"…"` with no spaces.
    start = line.index(b'"hlc":"') + 7
    return line[start:line.index(b'"', start)].decode("ascii")


def export_bundle(session, peer_wanted: str, folder: Path, full: bool = False, progress: Progress | None = None,
                  cancelled: Callable[[], bool] | None = None) -> ExportResult:
    """Write one bundle to `peer_wanted` (name, office code or id) in `folder`."""
    site = Site(session)
    peer = site.find_peer(peer_wanted)
    tables = tables_for(site.role, peer["role"])
    if tables is None:
        raise SyncError(same_role_message(peer["name"], site.role))
    recipients = [peer["age_recipient"], str(site.age_identity.to_public())]
    store = SyncStore(session.connection)
    ticker = Ticker(progress, cancelled)
    with db.transaction(session.connection):
        last = store.last_sent(peer["site_id"])
        since = "" if full or last is None else last["watermark"]
        seq = last["seq"] + 1 if last else 1
        if site.role == FIELD and since:
            _restamp_reshared(session, store, since, peer["site_id"])
        # Pass 1: counts, sizes and hashes for the manifest.
        members, low, high = [], "", ""
        for table in tables:
            digest, size, count = hashlib.sha256(), 0, 0
            for line in _member_lines(store, table, since, site, peer["site_id"]):
                digest.update(line)
                size += len(line)
                count += 1
                stamp = _newest_stamp(line)
                low = min(low, stamp) if low else stamp
                high = max(high, stamp)
                ticker.tick()
            members.append({"name": f"{table}.jsonl", "table": table, "records": count, "bytes": size,
                            "sha256": digest.hexdigest()})
        total = ticker.done
        created = utc_now()
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "bundle_id": str(uuid.uuid4()),
            "sender": {"site_id": site.site_id, "name": site.name, "role": site.role},
            "recipient": {"site_id": peer["site_id"], "name": peer["name"], "role": peer["role"]},
            "sequence": seq, "full": bool(full or last is None), "created_at": datetime_to_text(created),
            "schema_version": db.latest_version(), "hlc_range": {"from": low, "to": high}, "members": members,
        }
        manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
        signature = site.sign(manifest_bytes)
        # The recipient's code keeps apart the bundles headquarters writes for several offices.
        path = free_path(folder, bundle_file_name(session.office_code, site.site_id, peer["office_code"],
                                                  peer["site_id"], created, seq), peer["site_id"])
        name = path.name
        ticker = Ticker(progress, cancelled, total)
        written: list[dict] = []
        # Known before a byte is written: the tar (512-byte blocks), plus age's 16 bytes per 64 KiB.
        size = sum(m["bytes"] + len(tarstream.padding(m["bytes"])) + 512 for m in members)
        size += 4 * 512 + len(manifest_bytes) + len(signature) + 1024  # manifest, signature, end of archive
        needed = size + size // 4096 + 4096
        problem = space_problem(path.parent, needed)
        if problem:
            raise SyncError(problem)
        # Pass 2: the same rows, into the tar, into age, into a temp file renamed when complete.
        try:
            with atomic_writer(path, mode=0o600) as out:
                chunks = _tar_chunks(store, members, since, site, peer["site_id"], manifest_bytes, signature,
                                     int(created.timestamp()), written, ticker)
                agestream.encrypt(chunks, out, recipients)
                if [(m["bytes"], m["sha256"]) for m in written] != [(m["bytes"], m["sha256"]) for m in members]:
                    raise SyncError(_("The records changed while the bundle was written; export again."))
        except OSError as error:
            if is_out_of_space(error):
                raise SyncError(out_of_space_message(path.parent, needed)) from None
            raise
        watermark = max(high, session.clock.last)
        counts = {m["table"]: m["records"] for m in members}
        store.record_sent(manifest["bundle_id"], peer["site_id"], seq, name, now_text(), session.user,
                          manifest["full"], watermark, counts)
        if site.role == FIELD:
            store.mark_shared(peer["site_id"], since, site.site_id)
            mara_sync.after_export(session.connection, peer["site_id"], since, site.site_id, True)
        session.audit.append(session.user, "bundle_exported", "site", peer["site_id"],
                             {"file": name, "sequence": seq, "full": manifest["full"], "counts": counts})
    if progress:
        progress(total, total)
    return ExportResult(path, peer["name"], seq, manifest["full"], counts)


def _restamp_reshared(session, store: SyncStore, since: str, peer_site: str) -> None:
    # Their tombstones went out when consent was withdrawn; their current versions must outrank them.
    updated_at = datetime_to_text(utc_now())
    for service_id in store.reshared_service_ids(since, peer_site):
        store.restamp_service(service_id, session.clock.now(), updated_at)
    session.writer.persist_clock()


def _tar_chunks(store, members, since, site, peer_site, manifest_bytes, signature, mtime, written,
                ticker: Ticker) -> Iterator[bytes]:
    yield tarstream.member_header(MANIFEST, len(manifest_bytes), mtime)
    yield manifest_bytes + tarstream.padding(len(manifest_bytes))
    yield tarstream.member_header(SIGNATURE, len(signature), mtime)
    yield signature + tarstream.padding(len(signature))
    for member in members:
        # The header needs the size before the data: pass 1 measured it under the same transaction.
        table, size = member["table"], member["bytes"]
        lines = _member_lines(store, table, since, site, peer_site)
        yield tarstream.member_header(f"{table}.jsonl", size, mtime)
        digest, done, pending, pending_size = hashlib.sha256(), 0, [], 0
        for line in lines:
            pending.append(line)
            pending_size += len(line)
            ticker.tick()
            if pending_size >= CHUNK:
                block = b"".join(pending)
                digest.update(block)
                done += len(block)
                pending, pending_size = [], 0
                yield block
        block = b"".join(pending)
        digest.update(block)
        done += len(block)
        written.append({"bytes": done, "sha256": digest.hexdigest()})
        if done != size:
            raise SyncError(_("The records changed while the bundle was written; export again."))
        yield block + tarstream.padding(size)
    yield tarstream.END_OF_ARCHIVE
