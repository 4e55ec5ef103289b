"""The vault: a folder with the SQLCipher database and one age-encrypted key slot per user.

The database is keyed with a random 256-bit raw key that never touches disk in clear. Each slot
in keys/ holds that key: `<user>.age` encrypted with the user's passphrase (age scrypt),
`recovery.age` encrypted to an X25519 recovery identity shown once at creation. Changing a
passphrase rewrites one slot and never the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import uuid
from pathlib import Path

import pyrage
from pyrage import passphrase as age_passphrase
from pyrage import x25519

from fieldapp.errors import VaultError, WrongPassphrase
from fieldapp.fileio import atomic_write
from fieldapp.i18n import _
from fieldapp.store import db
from fieldapp.store.audit import AuditLog
from fieldapp.store.lockfile import VaultLock
from fieldapp.store.places import PlaceRepository
from fieldapp.store.repositories import (AlertRepository, ProviderRepository, ReferralRepository,
                                         ServiceRepository, TrainingRepository, Writer)
from fieldapp.sync.hlc import HybridClock

DB_NAME = "fieldapp.db"
KEYS_DIR = "keys"
LOCK_NAME = "fieldapp.lock"
RECOVERY_SLOT = "recovery"
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
OFFICE_CODE = re.compile(r"^[A-Z0-9]{2,8}$")
MIN_PASSPHRASE = 10
KEY_BYTES = 32


def check_user_name(name: str) -> str:
    if not USER_NAME.match(name or "") or name == RECOVERY_SLOT:
        raise VaultError(_("“{name}” cannot be a user name: use 1 to 40 letters, digits, dots, dashes or "
                           "underscores.").format(name=name))
    return name


def check_new_passphrase(value: str) -> str:
    if len(value) < MIN_PASSPHRASE:
        raise VaultError(_("A passphrase needs at least {n} characters.").format(n=MIN_PASSPHRASE))
    return value


class Vault:
    """A vault folder. Opening it takes the one-writer lock; `unlock*` returns a Session."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = VaultLock(self.path / LOCK_NAME)

    # -- layout --------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    @property
    def keys_path(self) -> Path:
        return self.path / KEYS_DIR

    def slot_path(self, name: str) -> Path:
        return self.keys_path / f"{name}.age"

    def exists(self) -> bool:
        return self.db_path.is_file() and self.keys_path.is_dir()

    def users(self) -> list[str]:
        if not self.keys_path.is_dir():
            return []
        return sorted(p.stem for p in self.keys_path.glob("*.age") if p.stem != RECOVERY_SLOT)

    def _require_vault(self) -> None:
        if not self.path.exists():
            raise VaultError(_("There is no vault at {path}.").format(path=self.path))
        if not self.exists():
            raise VaultError(_("{path} is not a fieldapp vault (no {db} or keys folder).").format(
                path=self.path, db=DB_NAME))

    # -- the one-writer lock -------------------------------------------------------------------
    def acquire(self) -> None:
        self._require_vault()
        self._lock.acquire()

    def release(self) -> None:
        self._lock.release()

    @property
    def stale_lock_cleared(self) -> bool:
        return self._lock.stale_holder is not None

    # -- creation ------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path | str, site_name: str, office_code: str, user: str,
               passphrase: str) -> tuple["Session", str]:
        """Create a vault; returns the open session and the recovery key (shown once, never stored)."""
        vault = cls(path)
        check_user_name(user)
        check_new_passphrase(passphrase)
        if not site_name.strip():
            raise VaultError(_("The site needs a name."))
        office_code = office_code.strip().upper()
        if not OFFICE_CODE.match(office_code):
            raise VaultError(_("The office code must be 2 to 8 capital letters or digits, for example BNI."))
        if vault.path.exists() and any(vault.path.iterdir()):
            raise VaultError(_("{path} already exists and is not empty; choose another folder.").format(path=vault.path))
        vault.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        vault.keys_path.mkdir(mode=0o700, exist_ok=True)
        vault._lock.acquire()
        try:
            raw_key = bytearray(secrets.token_bytes(KEY_BYTES))
            recovery = x25519.Identity.generate()
            # Slots first: a crash after this point leaves a vault the slots can still open.
            vault._write_slot(user, age_passphrase.encrypt(bytes(raw_key), passphrase))
            atomic_write(vault.slot_path(RECOVERY_SLOT), pyrage.encrypt(bytes(raw_key), [recovery.to_public()]))
            connection = db.connect(vault.db_path, bytes(raw_key))
            db.migrate(connection)
            site_id = str(uuid.uuid4())
            with db.transaction(connection):
                for key, value in (("site_id", site_id), ("site_name", site_name.strip()),
                                   ("office_code", office_code)):
                    connection.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
                connection.execute("INSERT INTO users (name, created_at) VALUES (?, datetime('now'))", (user,))
                AuditLog(connection).append(user, "vault_created", "vault", site_id,
                                            {"site_name": site_name.strip(), "office_code": office_code})
            session = Session(vault, user, connection, raw_key)
        except BaseException:
            vault._lock.release()
            raise
        return session, str(recovery)

    # -- unlocking -----------------------------------------------------------------------------
    def unlock(self, user: str, passphrase: str) -> "Session":
        self._require_vault()
        slot = self.slot_path(user)
        if not USER_NAME.match(user or "") or not slot.is_file():
            raise VaultError(_("There is no key slot for user “{user}” in this vault. Users: {users}.").format(
                user=user, users=", ".join(self.users()) or "—"))
        try:
            raw_key = age_passphrase.decrypt(self._read_slot(slot), passphrase)
        except pyrage.DecryptError:
            raise WrongPassphrase(_("Wrong passphrase for {user}.").format(user=user)) from None
        return self._open(user, bytearray(raw_key))

    def unlock_with_recovery(self, recovery_key: str, user: str) -> "Session":
        """Open with the recovery key, acting as `user` (whose passphrase is then usually reset)."""
        self._require_vault()
        try:
            identity = x25519.Identity.from_str(recovery_key.strip())
        except Exception:
            raise VaultError(_("This is not a recovery key: it is one line starting with AGE-SECRET-KEY-1.")) from None
        slot = self.slot_path(RECOVERY_SLOT)
        if not slot.is_file():
            raise VaultError(_("This vault has no recovery key slot."))
        try:
            raw_key = pyrage.decrypt(self._read_slot(slot), [identity])
        except pyrage.DecryptError:
            raise VaultError(_("This recovery key does not belong to this vault.")) from None
        check_user_name(user)
        return self._open(user, bytearray(raw_key))

    def _open(self, user: str, raw_key: bytearray) -> "Session":
        if len(raw_key) != KEY_BYTES:
            raise VaultError(_("The key slot is damaged."))
        self._lock.acquire()
        try:
            connection = db.connect(self.db_path, bytes(raw_key))
            db.migrate(connection)
        except BaseException:
            self._lock.release()
            raise
        return Session(self, user, connection, raw_key)

    def change_passphrase(self, user: str, old_passphrase: str, new_passphrase: str) -> None:
        """Rewrite one user's slot without opening the database, which stays byte-identical.

        The change enters the audit log at the next unlock, when the slot fingerprints are compared.
        """
        self._require_vault()
        check_new_passphrase(new_passphrase)
        slot = self.slot_path(user)
        if not USER_NAME.match(user or "") or not slot.is_file():
            raise VaultError(_("There is no key slot for user “{user}” in this vault. Users: {users}.").format(
                user=user, users=", ".join(self.users()) or "—"))
        self._lock.acquire()
        try:
            try:
                raw_key = age_passphrase.decrypt(self._read_slot(slot), old_passphrase)
            except pyrage.DecryptError:
                raise WrongPassphrase(_("Wrong passphrase for {user}.").format(user=user)) from None
            self._write_slot(user, age_passphrase.encrypt(raw_key, new_passphrase))
        finally:
            self._lock.release()

    def slot_fingerprints(self) -> dict[str, str]:
        return {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(self.keys_path.glob("*.age"))}

    # -- slots ---------------------------------------------------------------------------------
    def _read_slot(self, slot: Path) -> bytes:
        try:
            return slot.read_bytes()
        except OSError as error:
            raise VaultError(_("Cannot read the key slot {slot}: {reason}").format(
                slot=slot.name, reason=error.strerror)) from error

    def _write_slot(self, user: str, data: bytes) -> None:
        atomic_write(self.slot_path(user), data)


class Session:
    """An unlocked vault: the database connection, the key, and the repositories.

    `lock()` closes the connection and overwrites the key bytes we hold; the file lock stays with
    the Vault, so the app keeps the vault to itself while it shows the unlock screen.
    """

    def __init__(self, vault: Vault, user: str, connection, raw_key: bytearray):
        self.vault = vault
        self.user = user
        self._connection = connection
        self._key = raw_key
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        self.site_id = meta.get("site_id", "")
        self.site_name = meta.get("site_name", "")
        self.office_code = meta.get("office_code", "")
        self.clock = HybridClock(self.site_id, meta.get("hlc_last"))
        self.audit = AuditLog(connection)
        self.writer = Writer(connection, user, self.site_id, self.clock, self.audit)
        self.referrals = ReferralRepository(self.writer)
        self.services = ServiceRepository(self.writer, self.referrals)
        self.alerts = AlertRepository(self.writer)
        self.trainings = TrainingRepository(self.writer)
        self.providers = ProviderRepository(self.writer)
        self.places = PlaceRepository(self.writer)
        connection.execute("INSERT OR IGNORE INTO users (name, created_at) VALUES (?, datetime('now'))", (user,))
        self.reconcile_key_slots()

    def reconcile_key_slots(self) -> None:
        """Audit key slots added, changed or removed since the vault last saw them (e.g. `passwd`)."""
        current = self.vault.slot_fingerprints()
        row = self._connection.execute("SELECT value FROM meta WHERE key = 'slot_fingerprints'").fetchone()
        known = json.loads(row[0]) if row else {}
        if current == known:
            return
        with db.transaction(self._connection):
            for name in sorted(set(current) | set(known)):
                if name not in known:
                    self.audit.append(self.user, "key_slot_added", "user", name)
                elif name not in current:
                    self.audit.append(self.user, "key_slot_removed", "user", name)
                elif current[name] != known[name]:
                    self.audit.append(self.user, "key_slot_changed", "user", name)
            self._connection.execute(
                "INSERT INTO meta (key, value) VALUES ('slot_fingerprints', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (json.dumps(current, sort_keys=True),))

    @property
    def connection(self):
        if self._connection is None:
            raise VaultError(_("The vault is locked."))
        return self._connection

    @property
    def locked(self) -> bool:
        return self._connection is None

    # -- keys ----------------------------------------------------------------------------------
    def add_user(self, name: str, passphrase: str) -> None:
        check_user_name(name)
        check_new_passphrase(passphrase)
        if self.vault.slot_path(name).exists():
            raise VaultError(_("User “{user}” already exists.").format(user=name))
        self.vault._write_slot(name, age_passphrase.encrypt(bytes(self._key), passphrase))
        self._register_user(name)

    def set_passphrase(self, user: str, new_passphrase: str) -> None:
        """Rewrite that user's slot only; the database file is not touched."""
        check_user_name(user)
        check_new_passphrase(new_passphrase)
        self.vault._write_slot(user, age_passphrase.encrypt(bytes(self._key), new_passphrase))
        self._register_user(user)

    def _register_user(self, user: str) -> None:
        self.connection.execute("INSERT OR IGNORE INTO users (name, created_at) VALUES (?, datetime('now'))", (user,))
        self.reconcile_key_slots()

    # -- settings ------------------------------------------------------------------------------
    def user_settings(self) -> dict:
        row = self.connection.execute("SELECT settings FROM users WHERE name = ?", (self.user,)).fetchone()
        return json.loads(row[0]) if row else {}

    def save_user_settings(self, settings: dict) -> None:
        with db.transaction(self.connection):
            self.connection.execute("UPDATE users SET settings = ? WHERE name = ?",
                                    (json.dumps(settings, sort_keys=True), self.user))

    # -- checks --------------------------------------------------------------------------------
    def verify(self) -> list[str]:
        """SQLCipher page check, SQLite integrity check, and the audit chain. Empty means all hold."""
        problems = []
        try:
            cipher = [row[0] for row in self.connection.execute("PRAGMA cipher_integrity_check")]
            problems += [_("Encrypted page check: {detail}").format(detail=line) for line in cipher]
            integrity = [row[0] for row in self.connection.execute("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                problems += [_("Database integrity: {detail}").format(detail=line) for line in integrity[:20]]
        except db.DatabaseError as error:
            problems.append(_("The database file is damaged: {detail}").format(detail=error))
            return problems
        problems += self.audit.verify()
        return problems

    def schema_version(self) -> int:
        return db.schema_version(self.connection)

    # -- locking -------------------------------------------------------------------------------
    def lock(self) -> None:
        """Drop the key and close the database. The Python objects that held the key are gone too."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.close()
            except db.DatabaseError:
                pass
        for index in range(len(self._key)):
            self._key[index] = 0

    def close(self) -> None:
        """Lock and give up the one-writer lock (end of a command, app exit)."""
        self.lock()
        self.vault.release()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def remove_stale_temp_files(vault_path: Path) -> None:
    """Temp files of an interrupted slot write (never under a final name) are safe to remove."""
    for leftover in (vault_path / KEYS_DIR).glob(".*.part"):
        try:
            os.unlink(leftover)
        except OSError:
            pass
