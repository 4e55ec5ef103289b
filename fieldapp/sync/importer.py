"""Importing a sync bundle (docs/DESIGN.md 6.2, 6.3): verify everything, then merge in one transaction.

Pass 1 decrypts and reads the whole bundle without touching the vault: age authentication,
recipient, manifest signature by an enrolled sender, format and schema versions, the direction
of travel, each member's size, count and SHA-256, and every record field by field. Pass 2
decrypts again and merges inside one transaction, checking the same hashes once more (the file
could change in between) and the ids against the other tables; any failure rolls back.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from fieldapp.domain.synced import RELAYED_TABLES
from fieldapp.fileio import is_out_of_space, out_of_space_message
from fieldapp.i18n import _, format_number, ngettext
from fieldapp.store import db
from fieldapp.store.sync_store import SyncStore, columns
from fieldapp.core import agestream
from fieldapp.sync import tarstream, wire
from fieldapp.sync.bundle import (FORMAT, FORMAT_VERSION, MANIFEST, SIGNATURE, Progress, SyncCancelled, Ticker,
                                  same_role_message, tables_for)
from fieldapp.core.hlc import MAX_AHEAD_MS, ClockError, describe_offset
from fieldapp.sync.merge import TableMerger
from fieldapp.sync.site import HEADQUARTERS, Site, SyncError, now_text, verify_signature

MIN_SCHEMA = 2
MAX_MANIFEST = 64 * 1024
MAX_MEMBER = 4 * 1024**3
MAX_RECORDS = 20_000_000
MERGE_BATCH = 2000
# A site numbers its bundles to one peer 1, 2, 3…: a million is centuries of hourly bundles.
MAX_SEQUENCE = 1_000_000
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BundleRefused(SyncError):
    def __init__(self, path: Path, problem: str):
        # Names quoted from a hostile file (a field, a member, a site) may hold line breaks or
        # terminal escapes: the message must stay one plain line.
        problem = "".join(c if c.isprintable() else " " for c in problem)
        name = "".join(c if c.isprintable() else " " for c in Path(path).name)
        super().__init__(_("{file}: refused, {problem}.").format(file=name, problem=problem))
        self.problem = problem


@dataclass
class ImportResult:
    path: Path
    sender_site: str
    sender_name: str
    seq: int
    already_imported: bool = False
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    missing: list["Gap"] = field(default_factory=list)

    @property
    def conflicts(self) -> int:
        return sum(counts["conflicts"] for counts in self.counts.values())

    def gap_message(self) -> str:
        if not self.missing:
            return ""
        return ngettext("Bundle {numbers} from {site} not yet received.",
                        "Bundles {numbers} from {site} not yet received.", sum(g.count for g in self.missing)).format(
            numbers=format_gaps(self.missing), site=self.sender_name)


@dataclass(frozen=True)
class Gap:
    """A run of sequence numbers not received yet, first to last inclusive: "4", or "2–49 999 999"."""

    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def __str__(self) -> str:
        if self.first == self.last:
            return format_number(self.first)
        return f"{format_number(self.first)}–{format_number(self.last)}"


def format_gaps(gaps: list[Gap], limit: int = 20) -> str:
    return ", ".join(str(gap) for gap in gaps[:limit]) + ("…" if len(gaps) > limit else "")


@dataclass
class _Head:
    manifest: dict
    raw: bytes
    peer: dict
    tables: tuple[str, ...]


def _read_head(reader: tarstream.TarReader, site: Site) -> _Head:
    entry = reader.next_member(MAX_MANIFEST)
    if entry is None or entry[0] != MANIFEST:
        raise SyncError(_("its first member is not the manifest"))
    raw = reader.read_all()
    entry = reader.next_member(64)
    if entry is None or entry[0] != SIGNATURE:
        raise SyncError(_("the manifest has no signature"))
    signature = reader.read_all()
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SyncError(_("its manifest is not a fieldapp manifest"))
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SyncError(_("its format version is not valid"))
    if version > FORMAT_VERSION:
        raise SyncError(_("it was written by a newer version of fieldapp (bundle format {found}; this version "
                          "reads format {known}); install the newer version").format(found=version,
                                                                                     known=FORMAT_VERSION))
    sender = manifest.get("sender")
    sender_id = sender.get("site_id") if isinstance(sender, dict) else None
    if not isinstance(sender_id, str):
        raise SyncError(_("its manifest names no sender"))
    if sender_id == site.site_id:
        raise SyncError(_("it was written by this site; it is imported by the site it was sent to"))
    peer = site.store.peer(sender_id)
    if peer is None:
        claimed = sender.get("name") if isinstance(sender.get("name"), str) else "?"
        raise SyncError(_("it comes from a site that is not enrolled (calling itself “{name}”, id {id}); enrol "
                          "its site card first").format(name=claimed[:80], id=sender_id[:40]))
    if not verify_signature(peer["signing_key"], signature, raw):
        raise SyncError(_("its signature does not match the key of {name}: the manifest was altered or forged")
                        .format(name=peer["name"]))
    _check_manifest(manifest, site, peer)
    tables = tables_for(peer["role"], site.role)
    if tables is None:
        raise SyncError(same_role_message(peer["name"], site.role))
    for member in manifest["members"]:
        if member["table"] not in tables:
            raise SyncError(_("it carries {table}, which does not travel from {name} to this site").format(
                table=member["table"], name=peer["name"]))
    return _Head(manifest, raw, peer, tables)


def _check_manifest(manifest: dict, site: Site, peer: dict) -> None:
    """The fields of a signed manifest. Signed by an enrolled site, but checked all the same."""
    def bad(name: str) -> SyncError:
        return SyncError(_("its manifest has a bad “{field}”").format(field=name))

    def whole(value, low: int, high: int) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high

    try:
        if str(uuid.UUID(manifest.get("bundle_id"))) != manifest["bundle_id"]:
            raise bad("bundle_id")
    except (TypeError, ValueError, AttributeError):
        raise bad("bundle_id") from None
    recipient = manifest.get("recipient")
    if not isinstance(recipient, dict) or recipient.get("site_id") != site.site_id:
        name = recipient.get("name") if isinstance(recipient, dict) else None
        raise SyncError(_("it is addressed to {name}, not to this site").format(
            name=name if isinstance(name, str) else "?"))
    schema = manifest.get("schema_version")
    if not whole(schema, MIN_SCHEMA, 10**6):
        raise bad("schema_version")
    if schema > db.latest_version():
        raise SyncError(_("it was written by a newer version of fieldapp (schema {found}; this version knows up "
                          "to {known}); install the newer version").format(found=schema, known=db.latest_version()))
    if not whole(manifest.get("sequence"), 1, MAX_SEQUENCE):
        raise bad("sequence")
    if not isinstance(manifest.get("full"), bool):
        raise bad("full")
    if not isinstance(manifest.get("created_at"), str) or len(manifest["created_at"]) > 40:
        raise bad("created_at")
    members = manifest.get("members")
    if not isinstance(members, list) or len(members) > 10:
        raise bad("members")
    seen = set()
    for member in members:
        if (not isinstance(member, dict) or set(member) != {"name", "table", "records", "bytes", "sha256"}
                or not isinstance(member["table"], str) or member["name"] != f"{member['table']}.jsonl"
                or member["table"] in seen or not whole(member["records"], 0, MAX_RECORDS)
                or not whole(member["bytes"], 0, MAX_MEMBER)
                or not isinstance(member["sha256"], str) or not SHA256.match(member["sha256"])):
            raise bad("members")
        seen.add(member["table"])


@dataclass
class _ClockLimit:
    """The latest stamp a bundle may carry: MAX_AHEAD_MS past this laptop's clock (docs/DESIGN.md 5)."""

    physical_ms: int
    sender_name: str

    def check(self, stamp: str, n: int, member: str) -> None:
        ahead = int(stamp[:15]) - self.physical_ms
        if ahead > MAX_AHEAD_MS:
            raise SyncError(_("record {n} of {member} is stamped {offset} ahead of this laptop's clock (at most 24 "
                              "hours are accepted): the date and time of {name}'s laptop or of this one are wrong"
                              ).format(n=n, member=member, offset=describe_offset(ahead), name=self.sender_name))


def _member_rows(reader: tarstream.TarReader, member: dict, sender: str, ticker: Ticker,
                 validate: bool = True, clock_limit: _ClockLimit | None = None,
                 relayed: bool = False) -> Iterator[tuple]:
    """The decoded rows of one member, then its count and hash checked against the manifest."""
    entry = reader.next_member(member["bytes"])
    if entry is None or entry != (member["name"], member["bytes"]):
        raise SyncError(_("its member {name} is missing or not the size the manifest says").format(name=member["name"]))
    count = 0
    hlc_index = columns(member["table"]).index("hlc")
    for line in reader.lines(wire.MAX_LINE):
        count += 1
        if count > member["records"]:
            break
        try:
            row = wire.decode_line(member["table"], line, sender, validate, relayed)
        except wire.RecordProblem as problem:
            raise SyncError(_("record {n} of {member} is not valid: {problem}").format(
                n=count, member=member["name"], problem=problem)) from None
        if clock_limit is not None:
            clock_limit.check(row[hlc_index], count, member["name"])
        yield row
        ticker.tick()
    if count != member["records"] or reader.digest.hexdigest() != member["sha256"]:
        raise SyncError(_("{member} does not match the signed manifest: the bundle was altered").format(
            member=member["name"]))


def _relayed(peer: dict, member: dict) -> bool:
    """Headquarters relays the mission's parties and commitments as their creators wrote them."""
    return peer["role"] == HEADQUARTERS and member["table"] in RELAYED_TABLES


def _end(reader: tarstream.TarReader) -> None:
    entry = reader.next_member(MAX_MEMBER) if not reader.ended else None
    if entry is not None:
        raise SyncError(_("it holds an unexpected member “{name}”").format(name=entry[0]))
    reader.finish()


def import_bundle(session, path: Path, progress: Progress | None = None,
                  cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """Verify and merge one bundle file. Raises BundleRefused (vault unchanged) if anything is wrong."""
    path = Path(path)
    site = Site(session)
    try:
        return _import(session, site, path, progress, cancelled)
    except (SyncError, ClockError, agestream.AgeProblem, tarstream.TarProblem) as error:
        if isinstance(error, (BundleRefused, SyncCancelled)):
            raise
        problem = str(error)
        raise BundleRefused(path, problem[:1].lower() + problem[1:].rstrip(".")) from None
    except OSError as error:
        raise BundleRefused(path, _("it cannot be read ({reason})").format(reason=error.strerror or error)) from None
    except db.DatabaseError as error:
        if is_out_of_space(error):  # the merge rolled back: the vault is as it was
            message = out_of_space_message(session.vault.path, path.stat().st_size * 2)
            raise BundleRefused(path, message[:1].lower() + message[1:].rstrip(".")) from None
        raise


def _import(session, site: Site, path: Path, progress, cancelled) -> ImportResult:
    identity = site.age_identity
    ticker = Ticker(progress, cancelled)
    # Pass 1: verify without writing.
    with agestream.decrypting(path, identity) as stream:
        reader = tarstream.TarReader(stream)
        head = _read_head(reader, site)
        manifest, peer = head.manifest, head.peer
        result = ImportResult(path, peer["site_id"], peer["name"], manifest["sequence"])
        if site.store.received(manifest["bundle_id"]) is not None:
            result.already_imported = True
            result.missing = missing_bundles(site.store, peer["site_id"])
            return result
        total = sum(member["records"] for member in manifest["members"])
        ticker.total = 2 * total
        clock_limit = _ClockLimit(session.clock.physical_ms(), peer["name"])
        for member in manifest["members"]:
            for _row in _member_rows(reader, member, peer["site_id"], ticker, clock_limit=clock_limit,
                                     relayed=_relayed(peer, member)):
                pass
        _end(reader)
    # Pass 2: merge in one transaction.
    with db.transaction(session.connection):
        with agestream.decrypting(path, identity) as stream:
            reader = tarstream.TarReader(stream)
            if _read_head(reader, site).raw != head.raw:
                raise SyncError(_("the file changed while it was imported"))
            newest = ""
            for member in manifest["members"]:
                merger = TableMerger(site.store, member["table"], peer["site_id"], manifest["bundle_id"])
                batch: list[tuple] = []
                # Validated in pass 1; the hash checked at the end of the member proves it is the same data.
                for row in _member_rows(reader, member, peer["site_id"], ticker, validate=False,
                                        relayed=_relayed(peer, member)):
                    batch.append(row)
                    if len(batch) >= MERGE_BATCH:
                        merger.merge_batch(batch)
                        batch = []
                        ticker.check()
                if batch:
                    merger.merge_batch(batch)
                result.counts[member["table"]] = merger.counts
                newest = max(newest, merger.newest)
            _end(reader)
        if newest:
            session.clock.observe(newest)
            session.writer.persist_clock()
        site.store.record_received(manifest["bundle_id"], peer["site_id"], manifest["sequence"], manifest["full"],
                                   manifest["created_at"], now_text(), session.user, result.counts)
        session.audit.append(session.user, "bundle_imported", "site", peer["site_id"],
                             {"file": path.name, "bundle_id": manifest["bundle_id"],
                              "sequence": manifest["sequence"], "counts": result.counts})
    result.missing = missing_bundles(site.store, peer["site_id"])
    if progress:
        progress(ticker.total, ticker.total)
    return result


def missing_bundles(store: SyncStore, sender_site: str) -> list[Gap]:
    """The runs of sequence numbers from a sender not received yet; a full bundle makes the
    earlier ones moot. As runs, not numbers: one bundle numbered 50 000 000 is one gap."""
    received = store.received_sequences(sender_site)
    start = max((seq for seq, full in received if full), default=0)
    gaps, expected = [], start + 1
    for seq in sorted({seq for seq, _full in received if seq > start}):
        if seq > expected:
            gaps.append(Gap(expected, seq - 1))
        expected = seq + 1
    return gaps
