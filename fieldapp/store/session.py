"""An unlocked vault (see store/vault.py): the database connection, the key and the repositories."""

from __future__ import annotations

import json

from fieldapp.errors import VaultError
from fieldapp.i18n import _
from fieldapp.store import db, keyderive, secret
from fieldapp.store.audit import AuditLog
from fieldapp.store.dashboard import Dashboard
from fieldapp.store.mara import (CommitmentItemRepository, CommitmentRepository, IncidentRepository,
                                 PartyRepository)
from fieldapp.store.places import PlaceRepository
from fieldapp.store.repositories import (AlertRepository, ProviderRepository, ReferralRepository,
                                         ServiceRepository, TrainingRepository, Writer)
from fieldapp.store.slots import read_slot_users
from fieldapp.store.sync_store import SyncStore
from fieldapp.store.vault import Vault, check_new_passphrase, check_user_name
from fieldapp.core.hlc import HybridClock
from fieldapp.store.meta import get_meta, set_meta

OFFICE_CONTACT_KEY = "office_contact"


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
        # A stored clock that is not a usable stamp is set again rather than keep the vault shut.
        self.clock = HybridClock.resume(self.site_id, meta.get("hlc_last"),
                                        lambda: SyncStore(connection).newest_own_stamp(self.site_id))
        self.audit = AuditLog(connection)
        self.writer = Writer(connection, user, self.site_id, self.clock, self.audit)
        self.referrals = ReferralRepository(self.writer)
        self.services = ServiceRepository(self.writer, self.referrals)
        self.alerts = AlertRepository(self.writer)
        self.trainings = TrainingRepository(self.writer)
        self.providers = ProviderRepository(self.writer)
        self.places = PlaceRepository(self.writer)
        self.incidents = IncidentRepository(self.writer)
        self.parties = PartyRepository(self.writer)
        self.commitment_items = CommitmentItemRepository(self.writer)
        self.commitments = CommitmentRepository(self.writer, self.commitment_items)
        self.dashboard = Dashboard(self)
        self.unlock_warnings: list[str] = []  # failed unlocks since the last visit, said once at unlock
        connection.execute("INSERT OR IGNORE INTO users (name, created_at) VALUES (?, datetime('now'))", (user,))
        self.reconcile_key_slots()

    def reconcile_key_slots(self) -> None:
        """Audit key slots added, changed or removed since the vault last saw them (e.g. `passwd`)."""
        current = self.vault.slot_fingerprints(read_slot_users(self._connection))
        stored = get_meta(self._connection, "slot_fingerprints")
        known = json.loads(stored) if stored else {}
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
            set_meta(self._connection, "slot_fingerprints", json.dumps(current, sort_keys=True))

    @property
    def connection(self):
        if self._connection is None:
            raise VaultError(_("The vault is locked."))
        return self._connection

    @property
    def locked(self) -> bool:
        return self._connection is None

    def own_connection(self):
        """`with session.own_connection():` a background job's thread reads and writes through a
        connection of its own (store/db.py Database); the GUI thread keeps the shared one."""
        return self.connection.own_connection()

    def interrupt_jobs(self) -> None:
        """Stop at once the statement each background job is running (lock, exit)."""
        if self._connection is not None:
            self._connection.interrupt_jobs()

    # -- keys ----------------------------------------------------------------------------------
    def add_user(self, name: str, passphrase: str) -> None:
        check_user_name(name)
        check_new_passphrase(passphrase)
        if self.vault.has_user(name):
            raise VaultError(_("User “{user}” already exists.").format(user=name))
        self.vault.write_user_slot(self.connection, name, keyderive.passphrase_encrypt(self._key, passphrase))
        self._register_user(name)

    def set_passphrase(self, user: str, new_passphrase: str) -> None:
        """Rewrite that user's slot only; the database file is not touched."""
        check_user_name(user)
        check_new_passphrase(new_passphrase)
        self.vault.write_user_slot(self.connection, user, keyderive.passphrase_encrypt(self._key, new_passphrase))
        self._register_user(user)

    def _register_user(self, user: str) -> None:
        self.connection.execute("INSERT OR IGNORE INTO users (name, created_at) VALUES (?, datetime('now'))", (user,))
        self.reconcile_key_slots()

    def derive_key(self, salt: bytes, purpose: bytes) -> bytes:
        """A 256-bit key for one `purpose` (e.g. sealing a backup), derived from the vault key,
        which itself never leaves the session."""
        if self._connection is None:
            raise VaultError(_("The vault is locked."))
        return keyderive.subkey(self._key, salt, purpose)

    # -- settings ------------------------------------------------------------------------------
    def user_settings(self) -> dict:
        row = self.connection.execute("SELECT settings FROM users WHERE name = ?", (self.user,)).fetchone()
        return json.loads(row[0]) if row else {}

    def save_user_settings(self, settings: dict) -> None:
        with db.transaction(self.connection):
            self.connection.execute("UPDATE users SET settings = ? WHERE name = ?",
                                    (json.dumps(settings, sort_keys=True), self.user))

    # -- the office -----------------------------------------------------------------------------
    def office_contact(self) -> str:
        """The office's own contact (phone, address) printed on sheets and slips."""
        return get_meta(self.connection, OFFICE_CONTACT_KEY) or ""

    def set_office_contact(self, text: str) -> None:
        """One transaction; audited when it changes."""
        text = text.strip()
        if text == self.office_contact():
            return
        with db.transaction(self.connection):
            set_meta(self.connection, OFFICE_CONTACT_KEY, text)
            self.audit.append(self.user, "update", "office_contact", "", {"fields": ["office_contact"]})

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
        """Close the database (SQLCipher wipes its copy of the key and its pages) and wipe our key.

        The caller first lets every job that uses this session end (gui/context.py does): the key
        is wiped only after every connection, the jobs' own included, is closed.
        The repositories keep no rows; whatever the caller still holds is its own to drop."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.close()
            except db.DatabaseError:
                pass
        secret.wipe(self._key)

    def close(self) -> None:
        """Lock and give up the one-writer lock (end of a command, app exit)."""
        self.lock()
        self.vault.release()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
