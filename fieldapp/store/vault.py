"""The vault: a folder with the SQLCipher database and one age-encrypted key slot per user.

The database is keyed with a random 256-bit raw key that never touches disk in clear. Each slot
in keys/ holds that key: `<user>.age` encrypted with the user's passphrase (age scrypt),
`recovery.age` encrypted to an X25519 recovery identity shown once at creation. Changing a
passphrase rewrites one slot and never the database.

Opening returns a `Session` (store/session.py). The database code is imported only then, so the
app's window can show the unlock screen without waiting for it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pyrage
from pyrage import x25519

from fieldapp.errors import VaultError, WrongPassphrase
from fieldapp.fileio import atomic_write
from fieldapp.i18n import _
from fieldapp.store import keyderive, secret
from fieldapp.store.lockfile import VaultLock

if TYPE_CHECKING:
    from fieldapp.store.session import Session

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


def normalise_recovery_key(text: str) -> str:
    """The recovery key as age reads it, from what a person typed (spaces, line breaks, case)."""
    return re.sub(r"\s+", "", text or "").upper()


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
        import uuid

        from fieldapp.store import db
        from fieldapp.store.audit import AuditLog
        from fieldapp.store.session import Session

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
            raw_key = secret.random_key(KEY_BYTES)
            recovery = x25519.Identity.generate()
            # Slots first: a crash after this point leaves a vault the slots can still open.
            vault._write_slot(user, keyderive.passphrase_encrypt(raw_key, passphrase))
            atomic_write(vault.slot_path(RECOVERY_SLOT), keyderive.recipient_encrypt(raw_key, str(recovery.to_public())))
            connection = db.connect(vault.db_path, raw_key)
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
            raw_key = keyderive.passphrase_decrypt(self._read_slot(slot), passphrase)
        except pyrage.DecryptError:
            raise WrongPassphrase(_("Wrong passphrase for {user}.").format(user=user)) from None
        return self._open(user, raw_key)

    def unlock_with_recovery(self, recovery_key: str, user: str) -> "Session":
        """Open with the recovery key, acting as `user` (whose passphrase is then usually reset).
        The key may be typed in groups, over several lines, in any case."""
        self._require_vault()
        try:
            identity = x25519.Identity.from_str(normalise_recovery_key(recovery_key))
        except Exception:
            raise VaultError(_("This is not a recovery key: it is one line starting with AGE-SECRET-KEY-1.")) from None
        slot = self.slot_path(RECOVERY_SLOT)
        if not slot.is_file():
            raise VaultError(_("This vault has no recovery key slot."))
        try:
            raw_key = keyderive.identity_decrypt(self._read_slot(slot), normalise_recovery_key(recovery_key))
        except pyrage.DecryptError:
            raise VaultError(_("This recovery key does not belong to this vault.")) from None
        check_user_name(user)
        return self._open(user, raw_key)

    def _open(self, user: str, raw_key: bytearray) -> "Session":
        if len(raw_key) != KEY_BYTES:
            secret.wipe(raw_key)
            raise VaultError(_("The key slot is damaged."))
        from fieldapp.store import db
        from fieldapp.store.session import Session

        self._lock.acquire()
        try:
            connection = db.connect(self.db_path, raw_key)
            db.migrate(connection)
        except BaseException:
            secret.wipe(raw_key)
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
                raw_key = keyderive.passphrase_decrypt(self._read_slot(slot), old_passphrase)
            except pyrage.DecryptError:
                raise WrongPassphrase(_("Wrong passphrase for {user}.").format(user=user)) from None
            try:
                self._write_slot(user, keyderive.passphrase_encrypt(raw_key, new_passphrase))
            finally:
                secret.wipe(raw_key)
        finally:
            self._lock.release()

    def slot_fingerprints(self) -> dict[str, str]:
        import hashlib

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


def remove_stale_temp_files(vault_path: Path) -> None:
    """Temp files of an interrupted slot write (never under a final name) are safe to remove."""
    for leftover in (vault_path / KEYS_DIR).glob(".*.part"):
        try:
            os.unlink(leftover)
        except OSError:
            pass
