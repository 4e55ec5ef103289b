"""Site identity (docs/DESIGN.md 6.1): this vault's Ed25519 signing key and age X25519 identity, its
role, the public site card offices exchange once, enrolment of a peer's card, and the export of
the age identity for disaster recovery.

A vault is a field office unless it was made headquarters with `fieldapp site-role headquarters`
(stored in meta as `site_role`). The role decides what a bundle carries (see bundle.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyrage import x25519

from fieldapp.errors import FieldappError
from fieldapp.fileio import atomic_write
from fieldapp.i18n import N_, _
from fieldapp.store import secret
from fieldapp.store.db import transaction
from fieldapp.store.sync_store import SyncStore
from fieldapp.store.vault import OFFICE_CODE

FIELD, HEADQUARTERS = "field", "headquarters"
ROLES = {FIELD: N_("field office"), HEADQUARTERS: N_("headquarters")}
CARD_FORMAT = "fieldapp-site-card"
CARD_VERSION = 1
MAX_CARD_BYTES = 64 * 1024
AGE_RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")


class SyncError(FieldappError):
    """A sync step cannot be done: bad card, unknown site, refused bundle…"""


def now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class SiteCard:
    site_id: str
    name: str
    office_code: str
    role: str
    signing_key: str  # Ed25519 public key, hex
    age_recipient: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_key, self.age_recipient)

    def to_json(self) -> bytes:
        card = {"format": CARD_FORMAT, "version": CARD_VERSION, "site_id": self.site_id, "name": self.name,
                "office_code": self.office_code, "role": self.role, "signing_key": self.signing_key,
                "age_recipient": self.age_recipient}
        return (json.dumps(card, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def comment_text(text: str) -> str:
    """A name on one line: a line break in it would end a `#` comment and start a key line."""
    return "".join(c if c.isprintable() else " " for c in text)


def _new_keys() -> tuple[bytearray, bytearray]:
    """A new signing seed (hex) and age identity (text), as buffers the caller wipes."""
    seed = secret.random_key(32)
    seed_hex = secret.buffer_to_hex(seed)
    secret.wipe(seed)
    text = str(x25519.Identity.generate())
    encoded = text.encode("ascii")
    secret.scrub(text)
    return seed_hex, secret.take(encoded)


def _identity_from(buffer: bytearray) -> x25519.Identity:
    # pyrage takes only a str: made here, and scrubbed as soon as pyrage has parsed it.
    text = buffer.decode("ascii")
    try:
        return x25519.Identity.from_str(text)
    finally:
        secret.scrub(text)


def fingerprint(signing_key_hex: str, age_recipient: str) -> str:
    """The security code two offices read to each other (phone, radio) to be sure a card is genuine."""
    digest = hashlib.sha256(bytes.fromhex(signing_key_hex) + age_recipient.encode("ascii")).hexdigest().upper()
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


class Site:
    """This vault as a site: its keys (made on first use), role and peers."""

    def __init__(self, session):
        self.session = session
        self.store = SyncStore(session.connection)

    @property
    def site_id(self) -> str:
        return self.session.site_id

    @property
    def name(self) -> str:
        return self.session.site_name

    @property
    def role(self) -> str:
        role = self.store.meta("site_role")
        return role if role in ROLES else FIELD

    def set_role(self, role: str) -> None:
        if role not in ROLES:
            raise SyncError(_("The role must be “field” or “headquarters”."))
        if role == self.role:
            return
        with transaction(self.session.connection):
            previous = self.role
            self.store.set_meta("site_role", role)
            self.session.audit.append(self.session.user, "site_role", "site", self.site_id,
                                      {"from": previous, "to": role})

    # -- keys ----------------------------------------------------------------------------------
    # The signing seed and the age identity are read from the database when a bundle is signed,
    # encrypted or opened, held in buffers, and wiped right after (docs/RELIABILITY.md).
    @contextlib.contextmanager
    def _secret_keys(self):
        """(signing seed, age identity text) as buffers, wiped on leaving the block."""
        keys = self.store.identity_buffers()
        if keys is None:
            # Vaults made before sync, and new ones, get their keys here on first use.
            with transaction(self.session.connection):
                keys = self.store.identity_buffers()
                if keys is None:
                    keys = _new_keys()
                    self.store.save_identity(*keys, now_text())
                    self.session.audit.append(self.session.user, "site_keys_created", "site", self.site_id)
        seed_hex, identity = keys
        try:
            seed = secret.hex_to_buffer(seed_hex)
            try:
                yield seed, identity
            finally:
                secret.wipe(seed)
        finally:
            secret.wipe(seed_hex)
            secret.wipe(identity)

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        """The key object (OpenSSL wipes it when it is freed); prefer sign()."""
        with self._secret_keys() as (seed, _identity):
            return Ed25519PrivateKey.from_private_bytes(seed)

    @property
    def age_identity(self) -> x25519.Identity:
        """The identity object, for opening a bundle; the caller drops it when done."""
        with self._secret_keys() as (_seed, identity):
            return _identity_from(identity)

    def card(self) -> SiteCard:
        with self._secret_keys() as (seed, identity):
            public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw().hex()
            recipient = str(_identity_from(identity).to_public())
        return SiteCard(self.site_id, self.name, self.session.office_code, self.role, public, recipient)

    def sign(self, data: bytes) -> bytes:
        with self._secret_keys() as (seed, _identity):
            return Ed25519PrivateKey.from_private_bytes(seed).sign(data)

    def write_card(self, path: Path) -> SiteCard:
        card = self.card()
        atomic_write(path, card.to_json(), mode=0o644)  # a card is public
        return card

    def export_identity(self, path: Path) -> None:
        """The age identity in age-keygen's file format, so `age -d -i FILE` opens our bundles.

        The file is UTF-8 (age reads comment lines as such): office names are often French.
        """
        identity = self.age_identity
        text = (f"# fieldapp site identity of {comment_text(self.name)} ({self.site_id})\n"
                f"# created: {now_text()}\n"
                f"# public key: {identity.to_public()}\n"
                f"{identity}\n")
        with transaction(self.session.connection):
            self.session.audit.append(self.session.user, "identity_exported", "site", self.site_id,
                                      {"file": Path(path).name})
            # Written inside the transaction: no file without its audit entry.
            atomic_write(path, text.encode("utf-8"))

    def reset_identity(self, name: str, office_code: str) -> None:
        """A new site id and new keys for a vault copied from another one (before any sync).

        The session must be closed and opened again afterwards: it holds the old site id.
        """
        office_code = office_code.strip().upper()
        if not name.strip() or not OFFICE_CODE.match(office_code):
            raise SyncError(_("Give a site name and an office code of 2 to 8 capital letters or digits."))
        if self.store.has_sync_history() or self.store.record_count():
            raise SyncError(_("This vault already holds records or sync history; its site identity cannot change."))
        with transaction(self.session.connection):
            old = self.site_id
            new = str(uuid.uuid4())
            for key, value in (("site_id", new), ("site_name", name.strip()), ("office_code", office_code)):
                self.store.set_meta(key, value)
            seed_hex, identity = _new_keys()
            try:
                self.store.save_identity(seed_hex, identity, now_text())
            finally:
                secret.wipe(seed_hex)
                secret.wipe(identity)
            self.session.audit.append(self.session.user, "site_identity_reset", "site", new, {"previous": old})

    # -- peers ---------------------------------------------------------------------------------
    def peers(self) -> list[dict]:
        return self.store.peers()

    def find_peer(self, wanted: str) -> dict:
        """A peer by site id, office code or name (case-insensitive)."""
        wanted_clean = wanted.strip().casefold()
        peers = self.store.peers()
        for peer in peers:
            if peer["site_id"] == wanted.strip():
                return peer
        matches = [p for p in peers if wanted_clean in (p["name"].casefold(), p["office_code"].casefold())]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise SyncError(_("Several offices added here are called “{name}”; give the site id.").format(name=wanted))
        raise SyncError(_("No office called “{name}” has been added. Offices added: {names}.").format(
            name=wanted, names=", ".join(p["name"] for p in peers) or "—"))

    def keys_changed(self, card: SiteCard) -> bool:
        """True if the card's office was added already with other keys (a new laptop, or a forgery)."""
        known = self.store.peer(card.site_id)
        return known is not None and (known["signing_key"], known["age_recipient"]) != (card.signing_key,
                                                                                         card.age_recipient)

    def enrol(self, card: SiteCard) -> dict | None:
        """Store (or replace) a peer. Returns the peer it replaced, if any."""
        if card.site_id == self.site_id:
            raise SyncError(_("This is this office's own card; add the card of the other office."))
        previous = self.store.peer(card.site_id)
        with transaction(self.session.connection):
            self.store.save_peer({"site_id": card.site_id, "name": card.name, "office_code": card.office_code,
                                  "role": card.role, "signing_key": card.signing_key,
                                  "age_recipient": card.age_recipient, "enrolled_at": now_text(),
                                  "enrolled_by": self.session.user})
            self.session.audit.append(self.session.user, "site_enrolled", "site", card.site_id,
                                      {"name": card.name, "role": card.role, "fingerprint": card.fingerprint,
                                       "replaced": previous is not None})
        return previous


def read_card(path: Path) -> SiteCard:
    """A site card file, checked field by field."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CARD_BYTES + 1)
    except OSError as error:
        raise SyncError(_("Cannot read {file}: {reason}").format(file=path, reason=error.strerror)) from None
    if len(data) > MAX_CARD_BYTES:
        raise SyncError(_("{file} is too large to be an office card.").format(file=Path(path).name))
    try:
        card = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        card = None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise SyncError(_("{file} is not a fieldapp office card.").format(file=Path(path).name))
    if card.get("version") != CARD_VERSION:
        raise SyncError(_("{file} is an office card of a newer version of fieldapp.").format(file=Path(path).name))
    problem = _card_problem(card)
    if problem:
        raise SyncError(_("{file} is a damaged office card ({problem}).").format(file=Path(path).name, problem=problem))
    return SiteCard(card["site_id"], card["name"].strip(), card["office_code"], card["role"], card["signing_key"],
                    card["age_recipient"])


def _card_problem(card: dict) -> str | None:
    for name in ("site_id", "name", "office_code", "role", "signing_key", "age_recipient"):
        if not isinstance(card.get(name), str):
            return _("no {field}").format(field=name)
    try:
        if str(uuid.UUID(card["site_id"])) != card["site_id"]:
            raise ValueError
    except ValueError:
        return _("bad {field}").format(field="site_id")
    if not card["name"].strip() or len(card["name"]) > 200:
        return _("bad {field}").format(field="name")
    if card["office_code"] and not OFFICE_CODE.match(card["office_code"]):
        return _("bad {field}").format(field="office_code")
    if card["role"] not in ROLES:
        return _("bad {field}").format(field="role")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(card["signing_key"]))
    except ValueError:
        return _("bad {field}").format(field="signing_key")
    if not AGE_RECIPIENT.match(card["age_recipient"]):
        return _("bad {field}").format(field="age_recipient")
    try:
        x25519.Recipient.from_str(card["age_recipient"])
    except Exception:  # noqa: BLE001 - pyrage raises its own error types
        return _("bad {field}").format(field="age_recipient")
    return None


def verify_signature(signing_key_hex: str, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(signing_key_hex)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
