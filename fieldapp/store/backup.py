"""Backups of a vault: one encrypted file holding a consistent database snapshot and the key slots,
safe to leave on a shared drive, and its restoration into a new folder, all or nothing.

Layout of a backup file:
  MAGIC, then a 4-byte big-endian length and a JSON header:
    {"format": 1, "slots": [base64 of each age key slot], "salt": …, "sealed": …}
  then an age v1 stream (the payload) encrypted to a one-off X25519 identity. That identity is
  sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the vault key, so whoever opens
  any slot (a user's passphrase or the recovery key) opens the backup, and nobody else learns
  anything, not even the user names. age has no symmetric-key recipient, hence the sealed identity.
Payload: one JSON manifest line, then each member's bytes in the manifest's order. The database
member is a `VACUUM INTO` snapshot, which SQLCipher writes encrypted under the same key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import io
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import pyrage
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pyrage import x25519

from fieldapp import __version__
from fieldapp.errors import FieldappError, VaultError, WrongPassphrase
from fieldapp.fileio import atomic_writer, is_out_of_space, out_of_space_message, space_problem
from fieldapp.i18n import _
from fieldapp.store import keyderive, secret
from fieldapp.store.db import DatabaseError, schema_version
from fieldapp.store.lockfile import VaultLock
from fieldapp.store.staging import RESTORE_LOCK, RESTORING, remove_restore_leftovers
from fieldapp.store.outputs import log_output
from fieldapp.store.vault import DB_NAME, KEYS_DIR, RECOVERY_SLOT, USER_NAME, Vault, check_user_name
from fieldapp.core import agestream

MAGIC = b"fieldapp-backup/v1\n"
FORMAT = 1
MAX_HEADER = 1024 * 1024
CHUNK = 1024 * 1024
SQLITE_PLAINTEXT = b"SQLite format 3\0"
# Beyond the payload: the restored database's WAL while it is opened, audited and verified.
RESTORE_MARGIN = 8 * 1024 * 1024
Progress = Callable[[int, int], None]


class BackupError(FieldappError):
    """A backup cannot be written, or a file cannot be restored; nothing was changed."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    size: int
    created_at: str
    site_name: str
    counts: dict
    user: str = ""  # restore: the user whose key opened it (or the one named with the recovery key)


SEAL_PURPOSE = b"fieldapp backup v1"  # HKDF info of the key that seals a backup's identity


def record_counts(session) -> dict:
    return {"referrals": session.referrals.count(), "services": session.services.count(),
            "alerts": session.alerts.count(), "trainings": session.trainings.count(),
            "providers": session.providers.count(), "places": session.places.count(),
            "audit_entries": session.audit.count()}


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- writing -------------------------------------------------------------------------------------
def write_backup(session, output: Path | str, progress: Progress | None = None,
                 is_cancelled: Callable[[], bool] | None = None) -> BackupSummary:
    """Write the backup of the open vault to `output` (atomically) and audit it."""
    output = Path(output)
    vault = session.vault
    if vault.path.resolve() in output.resolve().parents:
        raise BackupError(_("Save the backup outside the vault folder, ideally on another drive."))
    # We hold the vault's one-writer lock, so any other snapshot folder is a killed backup's leftover.
    for leftover in vault.path.glob(".backup-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    # The snapshot is at most the size of the database and its WAL; then the backup about that.
    database_size = sum(path.stat().st_size for path in vault.path.glob(DB_NAME + "*") if path.is_file())
    for folder in (vault.path, output.parent):
        problem = space_problem(folder, database_size)
        if problem:
            raise BackupError(problem)
    snapshot_dir = Path(tempfile.mkdtemp(prefix=".backup-", dir=vault.path))
    try:
        snapshot = snapshot_dir / DB_NAME
        # A read transaction of its own: the snapshot is one consistent state, even in WAL mode.
        try:
            session.connection.execute("VACUUM INTO ?", (str(snapshot),))
        except DatabaseError as error:
            if is_out_of_space(error):
                raise BackupError(out_of_space_message(vault.path, database_size)) from None
            raise
        with open(snapshot, "rb") as handle:
            if handle.read(len(SQLITE_PLAINTEXT)) == SQLITE_PLAINTEXT:
                raise BackupError(_("The database snapshot was not encrypted; no backup was written."))
        slots = {path.name: path.read_bytes() for path in sorted(vault.keys_path.glob("*.age"))}
        created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        counts = record_counts(session)
        members = [{"name": f"{KEYS_DIR}/{name}", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                   for name, data in slots.items()]
        members.append({"name": DB_NAME, "size": snapshot.stat().st_size, "sha256": _sha256_of(snapshot)})
        manifest = {"format": FORMAT, "created_at": created_at, "app_version": __version__,
                    "schema_version": schema_version(session.connection), "site_id": session.site_id,
                    "site_name": session.site_name, "office_code": session.office_code,
                    "created_by": session.user, "counts": counts, "members": members}
        identity = x25519.Identity.generate()
        salt, nonce = os.urandom(16), os.urandom(12)
        sealed = nonce + AESGCM(session.derive_key(salt, SEAL_PURPOSE)).encrypt(nonce, str(identity).encode("ascii"), MAGIC + salt)
        header = json.dumps({"format": FORMAT, "slots": [base64.b64encode(data).decode() for data in slots.values()],
                             "salt": base64.b64encode(salt).decode(),
                             "sealed": base64.b64encode(sealed).decode()}).encode()
        total = sum(member["size"] for member in members)

        def chunks() -> Iterator[bytes]:
            yield json.dumps(manifest, ensure_ascii=False).encode("utf-8") + b"\n"
            yield from slots.values()
            done = 0
            with open(snapshot, "rb") as handle:
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    if is_cancelled and is_cancelled():
                        raise BackupError(_("Backup cancelled; no file was written."))
                    done += len(chunk)
                    if progress:
                        progress(done, total)
                    yield chunk
            if is_cancelled and is_cancelled():  # cancelled during the last chunk: still no file
                raise BackupError(_("Backup cancelled; no file was written."))

        needed = len(MAGIC) + 4 + len(header) + total + total // 1000 + 4096  # age adds 16 bytes per 64 KiB
        problem = space_problem(output.parent, needed)
        if problem:
            raise BackupError(problem)
        try:
            with atomic_writer(output) as out:
                out.write(MAGIC + struct.pack(">I", len(header)) + header)
                agestream.encrypt(chunks(), out, [str(identity.to_public())])
        except OSError as error:
            if is_out_of_space(error):
                raise BackupError(out_of_space_message(output.parent, needed)) from None
            raise
    finally:
        shutil.rmtree(snapshot_dir, ignore_errors=True)
    size = output.stat().st_size
    log_output(session, "backup", "vault", session.site_id, {"file": output.name, "bytes": size})
    return BackupSummary(output, size, created_at, session.site_name, counts, session.user)


# -- reading -------------------------------------------------------------------------------------
def _damaged(path: Path) -> BackupError:
    return BackupError(_("{file} is damaged or truncated (its encrypted data does not check out); nothing was "
                         "restored.").format(file=path.name))


def _read_header(path: Path) -> tuple[dict, int]:
    """The outer header and the offset where the age payload starts."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                raise BackupError(_("{file} is not a fieldapp backup.").format(file=path.name))
            length_bytes = handle.read(4)
            if len(length_bytes) != 4 or not 0 < struct.unpack(">I", length_bytes)[0] <= MAX_HEADER:
                raise _damaged(path)
            length = struct.unpack(">I", length_bytes)[0]
            raw = handle.read(length)
    except OSError as error:
        raise BackupError(_("Cannot read {file}: {reason}").format(file=path, reason=error.strerror)) from error
    try:
        header = json.loads(raw)
        if header["format"] != FORMAT:
            raise BackupError(_("{file} was written by a newer version of fieldapp; install it to restore.").format(
                file=path.name))
        header["slots"] = [base64.b64decode(slot, validate=True) for slot in header["slots"]]
        header["salt"] = base64.b64decode(header["salt"], validate=True)
        header["sealed"] = base64.b64decode(header["sealed"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _damaged(path) from None
    return header, len(MAGIC) + 4 + length


def _open_slot(header: dict, passphrase: str | None, recovery_key: str | None) -> tuple[bytearray, bytes]:
    """(vault key, the slot that gave it) from the passphrase of any user, or the recovery key.

    As at unlock, each slot is opened in a child process (store/keyderive.py): the scrypt
    derivation does not freeze the window, and age's own copies of the key stay out of the app."""
    if recovery_key is not None:
        key = recovery_key.strip()
        try:
            x25519.Identity.from_str(key)
        except Exception:
            raise VaultError(_("This is not a recovery key: it is one line starting with AGE-SECRET-KEY-1.")) from None
        for slot in header["slots"]:
            if b"\n-> X25519 " in slot[:200]:
                with contextlib.suppress(pyrage.DecryptError):
                    return keyderive.identity_decrypt(slot, key), slot
        raise VaultError(_("This recovery key does not belong to the vault of this backup."))
    # Only passphrase slots are tried: each try costs a full scrypt derivation.
    for slot in header["slots"]:
        if b"\n-> scrypt " in slot[:200]:
            with contextlib.suppress(pyrage.DecryptError):
                return keyderive.passphrase_decrypt(slot, passphrase or ""), slot
    raise WrongPassphrase(_("Wrong passphrase: it opens none of the key slots of this backup (or the file is damaged)."))


class _PayloadSink(io.RawIOBase):
    """Receives the decrypted payload from age and writes its members into `folder` as they come."""

    def __init__(self, folder: Path, progress: Progress | None, is_cancelled: Callable[[], bool] | None):
        super().__init__()
        self.folder = folder
        self.progress, self.is_cancelled = progress, is_cancelled
        self.manifest: dict | None = None
        self.error: BaseException | None = None
        self._line = b""
        self._members: list[dict] = []
        self._current: dict | None = None
        self._handle = None
        self._left = 0
        self._digest = None
        self.done = self.total = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        try:
            self._take(bytes(data))
        except BaseException as error:
            self.error = error  # pyrage replaces it with its own; the caller raises this one
            raise
        return len(data)

    def _take(self, data: bytes) -> None:
        if self.is_cancelled and self.is_cancelled():
            raise BackupError(_("Restore cancelled; nothing was restored."))
        if self.manifest is None:
            self._line += data
            if b"\n" not in self._line:
                if len(self._line) > MAX_HEADER:
                    raise ValueError("manifest too long")
                return
            line, data = self._line.split(b"\n", 1)
            self._start(json.loads(line))
        while data:
            if self._current is None:
                if not self._members:
                    raise ValueError("data after the last member")
                self._open_next()
                continue
            part, data = data[:self._left], data[self._left:]
            self._handle.write(part)
            self._digest.update(part)
            self._left -= len(part)
            self.done += len(part)
            if self.progress:
                self.progress(self.done, self.total)
            if not self._left:
                self._close_current()

    def _start(self, manifest: dict) -> None:
        if manifest.get("format") != FORMAT:
            raise ValueError("unknown payload format")
        names = set()
        for member in manifest["members"]:
            name, size = member["name"], member["size"]
            folder, _slash, stem = name.rpartition("/")
            valid_slot = folder == KEYS_DIR and stem.endswith(".age") and (
                stem[:-4] == RECOVERY_SLOT or USER_NAME.match(stem[:-4]))
            if not (name == DB_NAME or valid_slot) or name in names or not isinstance(size, int) or size < 0:
                raise ValueError(f"unexpected member {name!r}")
            names.add(name)
        if DB_NAME not in names:
            raise ValueError("no database in the backup")
        self.manifest = manifest
        self._members = list(manifest["members"])
        self.total = sum(member["size"] for member in self._members)
        (self.folder / KEYS_DIR).mkdir(mode=0o700)
        while self._members and self._members[0]["size"] == 0:  # empty members have no bytes to wait for
            self._open_next()

    def _open_next(self) -> None:
        self._current = self._members.pop(0)
        descriptor = os.open(self.folder / self._current["name"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._handle = os.fdopen(descriptor, "wb")
        self._left = self._current["size"]
        self._digest = hashlib.sha256()
        if not self._left:
            self._close_current()

    def _close_current(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        self._handle = None
        if self._digest.hexdigest() != self._current["sha256"]:
            raise ValueError(f"{self._current['name']} does not match its hash")
        self._current = None

    def complete(self) -> bool:
        return self.manifest is not None and self._current is None and not self._members

    def close(self) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            # A member cut short (full disk, damaged file): its buffered bytes may not flush; the
            # staging folder goes anyway, and the error that stopped the restore is the one to tell.
            with contextlib.suppress(OSError):
                handle.close()
        super().close()


# -- restoring -----------------------------------------------------------------------------------
def restore_backup(source: Path | str, target: Path | str, *, passphrase: str | None = None,
                   recovery_key: str | None = None, user: str | None = None, progress: Progress | None = None,
                   is_cancelled: Callable[[], bool] | None = None) -> BackupSummary:
    """Restore `source` into the new folder `target`, which appears only once it opened and verified."""
    source, target = Path(source), Path(target)
    if target.is_symlink():
        raise BackupError(_("{path} is a symbolic link; restore into a new folder that is not a link.").format(
            path=target))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(_("{path} already exists and is not empty; restore into a new folder.").format(path=target))
    remove_restore_leftovers(target)
    # Before the key derivation and the decryption: a full disk is told as such, not as damage.
    try:
        needed = source.stat().st_size + RESTORE_MARGIN
    except OSError as error:
        raise BackupError(_("Cannot read {file}: {reason}").format(file=source, reason=error.strerror)) from error
    problem = space_problem(target.parent, needed)
    if problem:
        raise BackupError(problem)
    header, offset = _read_header(source)
    raw_key, opened_slot = _open_slot(header, passphrase, recovery_key)
    try:
        identity_text = AESGCM(keyderive.subkey(raw_key, header["salt"], SEAL_PURPOSE)).decrypt(
            header["sealed"][:12], header["sealed"][12:], MAGIC + header["salt"])
        identity = x25519.Identity.from_str(identity_text.decode("ascii"))
    except (InvalidTag, ValueError, UnicodeDecodeError):
        secret.wipe(raw_key)
        raise _damaged(source) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=RESTORING.format(name=target.name), dir=target.parent))
    staging_lock = VaultLock(staging / RESTORE_LOCK)
    try:
        staging_lock.acquire()
        sink = _PayloadSink(staging, progress, is_cancelled)
        try:
            with open(source, "rb") as handle:
                handle.seek(offset)
                pyrage.decrypt_io(handle, sink, [identity])
        except Exception as error:
            if isinstance(sink.error, FieldappError):
                raise sink.error from None
            if is_out_of_space(sink.error):
                raise BackupError(out_of_space_message(target.parent, needed)) from None
            raise _damaged(source) from error
        finally:
            sink.close()
        if not sink.complete():
            raise _damaged(source)
        manifest = sink.manifest
        slot_names = [m["name"] for m in manifest["members"] if m["name"] != DB_NAME]
        opened_name = next((name for name in slot_names if (staging / name).read_bytes() == opened_slot), "")
        stem = Path(opened_name).stem
        # A passphrase names its user; the recovery key acts for --user, or for whoever made the backup.
        by_slot = stem if recovery_key is None and stem and stem != RECOVERY_SLOT else None
        acting = check_user_name(by_slot or user or str(manifest.get("created_by", "")))
        vault = Vault(staging)
        try:
            # The slot knows its user; the session now owns the key and wipes it at lock.
            session = vault.open_with_key(acting, raw_key, slot=by_slot)
        except (VaultError, DatabaseError) as error:
            if is_out_of_space(error):
                raise BackupError(out_of_space_message(target.parent, needed)) from None
            raise BackupError(_("The database in {file} does not open ({detail}); nothing was restored.").format(
                file=source.name, detail=error)) from None
        with session:
            try:
                log_output(session, "restore", "vault", session.site_id, {
                    "file": source.name, "backup_created_at": manifest.get("created_at", ""),
                    "with": "recovery_key" if recovery_key is not None else "passphrase"})
            except DatabaseError as error:
                if is_out_of_space(error):
                    raise BackupError(out_of_space_message(target.parent, needed)) from None
                raise
            problems = session.verify()
            if problems:
                raise BackupError(_("The restored vault does not verify ({problem}); nothing was restored.").format(
                    problem=problems[0]))
            counts = record_counts(session)
            site_name, acting = session.site_name, session.user
        staging_lock.release()
        os.unlink(staging / RESTORE_LOCK)
        if target.exists():
            target.rmdir()  # checked empty above
        os.rename(staging, target)
    except BaseException:
        secret.wipe(raw_key)
        staging_lock.release()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BackupSummary(target, source.stat().st_size, manifest.get("created_at", ""), site_name, counts, acting)
