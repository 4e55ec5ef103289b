"""The vault: a folder with the SQLCipher database and one age-encrypted key slot per user.

The database is keyed with a random 256-bit raw key that never touches disk in clear. Each slot
in keys/ holds that key: one per user encrypted with the user's passphrase (age scrypt), under a
name that does not tell the user's (store/slots.py), and `recovery.age` encrypted to an X25519
recovery identity shown once at creation. Changing a passphrase rewrites one slot and never the
database. Every passphrase try is counted first (store/throttle.py); the one-writer lock is taken
before any key is derived, so "already open" never tells a right guess from a wrong one.

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
from fieldapp.i18n import _, ngettext
from fieldapp.store import keyderive, secret, slots
from fieldapp.store.lockfile import VaultLock
from fieldapp.store.throttle import AttemptCounter, remember_failures_seen

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
    """The recovery key as age reads it, from what a person typed: spaces, line breaks and case do
    not matter, and neither do the letters Bech32 leaves out because they look like others
    (O typed for 0, I for L, and L, I or | for the 1 that ends AGE-SECRET-KEY-)."""
    squeezed = re.sub(r"[\s\u2010-\u2015-]+", "", text or "").upper()
    match = re.match(r"^AGESECRETKEY[1LI|!]", squeezed)
    if not match:
        return squeezed
    data = squeezed[match.end():].replace("O", "0").replace("I", "L")
    return "AGE-SECRET-KEY-1" + data


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
        """`name`'s slot file: the recovery slot, a user's slot found by name, or where an old-style
        slot of that name would be."""
        if name != RECOVERY_SLOT:
            found = slots.find_user_slot(self.keys_path, name)
            if found is not None:
                return found
        return self.keys_path / f"{name}{slots.SLOT_SUFFIX}"

    def exists(self) -> bool:
        return self.db_path.is_file() and self.keys_path.is_dir()

    def has_remains(self) -> bool:
        """Anything of a vault here (key slots or database), even half-made or damaged: what quick
        delete clears."""
        return self.keys_path.is_dir() or self.db_path.exists()

    def user_slot_count(self) -> int:
        return len(slots.user_slot_files(self.keys_path))

    @property
    def attempts(self) -> AttemptCounter:
        return AttemptCounter(self.path)

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

    def acquire_for_deletion(self) -> None:
        """The lock for quick delete, which also clears a half-made or damaged vault."""
        if self.path.is_dir():
            self._lock.acquire()

    def _acquire_before_keys(self) -> bool:
        """Take the lock before deriving any key; True if this call took it (and must give it back
        on failure). A vault open elsewhere is refused here, whatever the passphrase."""
        if self._lock.held:
            return False
        self._lock.acquire()
        return True

    def release(self) -> None:
        self._lock.release()

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
            stem = slots.new_stem(user)
            vault._write_slot_file(stem, keyderive.passphrase_encrypt(raw_key, passphrase))
            atomic_write(vault.slot_path(RECOVERY_SLOT), keyderive.recipient_encrypt(raw_key, str(recovery.to_public())))
            vault.attempts.succeeded(counted=False)
            connection = db.connect(vault.db_path, raw_key)
            db.migrate(connection)
            site_id = str(uuid.uuid4())
            with db.transaction(connection):
                slots.write_slot_users(connection, {stem: user})
                remember_failures_seen(connection, 0)
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
    def unlock(self, user: str | None, passphrase: str) -> "Session":
        """Open with `user`'s passphrase; with no user, the vault must have a single user slot."""
        self._require_vault()
        took_lock = self._acquire_before_keys()
        try:
            slot = self._slot_of(user)
            raw_key = self._derive_counted(slot, passphrase, user)
            return self.open_with_key(user or "", raw_key, slot=slot.stem)
        except BaseException:
            if took_lock:
                self._lock.release()
            raise

    def unlock_with_recovery(self, recovery_key: str, user: str) -> "Session":
        """Open with the recovery key, acting as `user` (whose passphrase is then usually reset).
        The key may be typed in groups, over several lines, in any case."""
        self._require_vault()
        raw_key = self._open_recovery_slot(normalise_recovery_key(recovery_key))
        check_user_name(user)
        counter_lost = self.attempts.lost()
        self.attempts.succeeded(counted=False)  # a new counter if it was removed
        return self.open_with_key(user, raw_key, counter_lost=counter_lost)

    def unlock_with_shares(self, text: str, user: str) -> "Session":
        """Open with k of the recovery key's shares (store/shares.py), typed in any layout."""
        from fieldapp.store.shares import recovery_key_from_shares

        self._require_vault()
        key = recovery_key_from_shares(text)
        try:
            return self.unlock_with_recovery(key, user)
        except VaultError as error:
            if str(error) == _("This recovery key does not belong to this vault."):
                raise VaultError(_("These shares make the recovery key of another vault, not this one's.")) from None
            raise

    def check_recovery_key(self, recovery_key: str) -> tuple[str, str, str]:
        """(the key normalised, site name, office code) once the key is known to open this vault;
        the database is only read, for the names printed on share sheets."""
        from fieldapp.store import db

        self._require_vault()
        key = normalise_recovery_key(recovery_key)
        took_lock = self._acquire_before_keys()
        raw_key = bytearray()
        try:
            raw_key = self._open_recovery_slot(key)
            connection = db.connect(self.db_path, raw_key)
            try:
                meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            finally:
                connection.close()
        finally:
            secret.wipe(raw_key)
            if took_lock:
                self._lock.release()
        return key, meta.get("site_name", ""), meta.get("office_code", "")

    def _open_recovery_slot(self, key: str) -> bytearray:
        try:
            identity = x25519.Identity.from_str(key)
        except Exception:
            from fieldapp.store.shares import key_to_bytes

            key_to_bytes(key)  # says "typing error" when only the check characters are wrong
            raise VaultError(_("This is not a recovery key: it is one line starting with AGE-SECRET-KEY-1.")) from None
        slot = self.slot_path(RECOVERY_SLOT)
        if not slot.is_file():
            raise VaultError(_("This vault has no recovery key slot."))
        try:
            return keyderive.identity_decrypt(self._read_slot(slot), key)
        except pyrage.DecryptError:
            raise VaultError(_("This recovery key does not belong to this vault.")) from None

    def open_with_key(self, user: str, raw_key: bytearray, slot: str | None = None,
                      counter_lost: bool = False) -> "Session":
        """Open the database with a key already taken out of one of its slots (an unlock, the
        recovery key, a restored backup's slot); `raw_key` becomes the session's and is wiped at
        lock, or here on failure. `slot` names the slot that gave the key: the vault then knows
        whose it is. Old-style slot names are hidden here, on the first unlock."""
        if len(raw_key) != KEY_BYTES:
            secret.wipe(raw_key)
            raise VaultError(_("The key slot is damaged."))
        from fieldapp.store import db
        from fieldapp.store.session import Session

        self._lock.acquire()
        try:
            connection = db.connect(self.db_path, raw_key)
            db.migrate(connection)
            user = (slots.owner_of(connection, slot) if slot else None) or user
            check_user_name(user)
            renamed = slots.hide_legacy_names(self.keys_path, connection, db.transaction)
            if not self.attempts.path.exists():
                self.attempts.succeeded(counted=False)  # e.g. a restored backup: its slots came without one
            session = Session(self, user, connection, raw_key)
            self._audit_unlock(session, connection, renamed, counter_lost)
        except BaseException:
            secret.wipe(raw_key)
            self._lock.release()
            raise
        return session

    def change_passphrase(self, user: str | None, old_passphrase: str, new_passphrase: str) -> None:
        """Rewrite one user's slot without opening the database, which stays byte-identical.

        The change enters the audit log at the next unlock, when the slot fingerprints are compared.
        """
        self._require_vault()
        check_new_passphrase(new_passphrase)
        took_lock = self._acquire_before_keys()
        try:
            slot = self._slot_of(user)
            raw_key = self._derive_counted(slot, old_passphrase, user)
            try:
                self._write_slot_file(slot.stem, keyderive.passphrase_encrypt(raw_key, new_passphrase))
            finally:
                secret.wipe(raw_key)
        finally:
            if took_lock:
                self._lock.release()

    def slot_fingerprints(self, owners: dict[str, str] | None = None) -> dict[str, str]:
        """SHA-256 of each slot, under its owner's name when `owners` (slot → user) knows it."""
        import hashlib

        owners = owners or {}
        return {owners.get(p.stem, p.stem): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in slots.slot_files(self.keys_path)}

    # -- slots ---------------------------------------------------------------------------------
    def _read_slot(self, slot: Path) -> bytes:
        try:
            return slot.read_bytes()
        except OSError as error:
            raise VaultError(_("Cannot read the key slot {slot}: {reason}").format(
                slot=slot.name, reason=error.strerror)) from error

    def _write_slot_file(self, stem: str, data: bytes) -> None:
        atomic_write(self.keys_path / f"{stem}{slots.SLOT_SUFFIX}", data)

    def write_user_slot(self, connection, user: str, data: bytes) -> None:
        """Write `user`'s slot (the one they have, or a new hidden one the database learns first)."""
        from fieldapp.store import db

        existing = slots.find_user_slot(self.keys_path, user)
        if existing is not None:
            self._write_slot_file(existing.stem, data)
            return
        stem = slots.new_stem(user)
        with db.transaction(connection):
            mapping = slots.read_slot_users(connection)
            mapping[stem] = user
            slots.write_slot_users(connection, mapping)
        self._write_slot_file(stem, data)

    def has_user(self, user: str) -> bool:
        return slots.find_user_slot(self.keys_path, user) is not None

    def quick_delete(self):
        """Overwrite and remove every key slot, then the database (store/quick_delete.py)."""
        from fieldapp.store.quick_delete import quick_delete

        return quick_delete(self)

    def set_delete_after_failures(self, session: "Session", failures: int) -> None:
        """The quick delete after N failed unlocks (0: never), kept beside the slots where the
        locked app reads it; changed only from an open session, and audited."""
        from fieldapp.store import db

        if failures and failures < 3:
            raise VaultError(_("Choose at least 3 failed unlocks, or 0 to never delete."))
        self.attempts.set_delete_after(failures)
        with db.transaction(session.connection):
            session.audit.append(session.user, "quick_delete_option", "vault", session.site_id,
                                 {"after_failures": failures})

    # -- passphrase tries (kept apart for the key-derivation process that calls them) ----------
    def _slot_of(self, user: str | None) -> Path:
        if not user:
            files = slots.user_slot_files(self.keys_path)
            if len(files) == 1:
                return files[0]
            if not files:
                raise VaultError(_("This vault has no user key slot."))
            raise VaultError(_("Several people use this vault: give your user name (a locked vault lists none)."))
        slot = slots.find_user_slot(self.keys_path, user) if USER_NAME.match(user) else None
        if slot is None:
            raise VaultError(_("There is no user “{user}” in this vault. Type your user name as it was created; "
                               "a locked vault lists no names.").format(user=user))
        return slot

    def _derive_counted(self, slot: Path, passphrase: str, user: str | None) -> bytearray:
        """The slot's key from the passphrase; the try is counted before the derivation starts."""
        from fieldapp.store.quick_delete import VaultDeleted, describe

        counter = self.attempts
        counter.begin_attempt()
        try:
            raw_key = keyderive.passphrase_decrypt(self._read_slot(slot), passphrase)
        except pyrage.DecryptError:
            state = counter.failed()
            if state.delete_after and state.failures >= state.delete_after:
                report = self.quick_delete()
                raise VaultDeleted(_("{n} wrong passphrases in a row: the vault was deleted from this laptop, as its "
                                     "protection settings asked.").format(n=state.failures) + " " + describe(report),
                                   report) from None
            error = WrongPassphrase(_("Wrong passphrase for {user}.").format(user=user) if user
                                    else _("Wrong passphrase."))
            error.failures = state.failures
            raise error from None
        except BaseException:
            counter.cancel_attempt()
            raise
        counter.succeeded()
        return raw_key

    def _audit_unlock(self, session: "Session", connection, renamed: list[str], counter_lost: bool) -> None:
        from fieldapp.store import db
        from fieldapp.store.throttle import reconcile_failures

        with db.transaction(connection):
            failures, set_back = reconcile_failures(self.attempts, connection)
            set_back = set_back or counter_lost
            for name in renamed:
                session.audit.append(session.user, "key_slot_renamed", "user", name)
            if failures:
                session.audit.append(session.user, "unlock_failures", "vault", session.site_id, {"count": failures})
            if set_back:
                session.audit.append(session.user, "attempt_counter_set_back", "vault", session.site_id)
        if failures:
            session.unlock_warnings.append(ngettext(
                "{n} failed unlock attempt since this vault was last opened.",
                "{n} failed unlock attempts since this vault was last opened.", failures).format(n=failures))
        if set_back:
            session.unlock_warnings.append(_("The count of failed unlocks was set back since this vault was last "
                                             "opened: someone may have tried to guess passphrases."))


def remove_stale_temp_files(vault_path: Path) -> None:
    """Temp files of an interrupted slot write (never under a final name) are safe to remove."""
    for leftover in (vault_path / KEYS_DIR).glob(".*.part"):
        try:
            os.unlink(leftover)
        except OSError:
            pass
