"""Key-slot file names that tell nothing about who uses the vault (docs/DESIGN.md 5, issue 13 point 7).

A user's slot is `keys/<salt><tag>.age`: 16 hex digits of a random salt, then 24 of
scrypt(user name, salt) (n = 2**14, about 40 ms). The unlock screen asks for the user name and
finds the slot by recomputing the tag for each slot's salt; a locked laptop lists no names. Who
owns which slot is also kept inside the encrypted database (meta `slot_users`), which is how an
open vault (or a restored backup) learns the user's name as it was spelled when created.

What this does not hide: the number of passphrase slots, and whether a name someone already
suspects is one of them (each guess costs one scrypt run per slot). Vaults made before this
(`keys/aline.mbuyi.age`) still open; their slots are renamed at the first unlock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from fieldapp.fileio import fsync_folder
from fieldapp.store.meta import get_meta, set_meta

SLOT_SUFFIX = ".age"
RECOVERY_STEM = "recovery"
SALT_BYTES, TAG_BYTES = 8, 12
HIDDEN_STEM = re.compile(r"^[0-9a-f]{40}$")
META_SLOT_USERS = "slot_users"
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


def is_hidden(stem: str) -> bool:
    return bool(HIDDEN_STEM.match(stem))


def _tag(user: str, salt: bytes) -> bytes:
    return hashlib.scrypt(user.casefold().encode("utf-8"), salt=b"fieldapp key slot v1\0" + salt,
                          dklen=TAG_BYTES, maxmem=64 * 1024 * 1024, **_SCRYPT)


def new_stem(user: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    return salt.hex() + _tag(user, salt).hex()


def stem_matches(stem: str, user: str) -> bool:
    """Whether the slot named `stem` is `user`'s (hidden name, or an old name spelled like the user)."""
    if stem == RECOVERY_STEM or not user:
        return False
    if not is_hidden(stem):
        return stem.casefold() == user.casefold()
    salt, tag = bytes.fromhex(stem[:2 * SALT_BYTES]), bytes.fromhex(stem[2 * SALT_BYTES:])
    return hmac.compare_digest(_tag(user, salt), tag)


def slot_files(keys: Path) -> list[Path]:
    return sorted(keys.glob("*" + SLOT_SUFFIX)) if keys.is_dir() else []


def user_slot_files(keys: Path) -> list[Path]:
    return [path for path in slot_files(keys) if path.stem != RECOVERY_STEM]


def find_user_slot(keys: Path, user: str) -> Path | None:
    for path in user_slot_files(keys):
        if stem_matches(path.stem, user):
            return path
    return None


def legacy_user_names(keys: Path) -> list[str]:
    """User names still visible as file names (vaults made before hidden names)."""
    return [path.stem for path in user_slot_files(keys) if not is_hidden(path.stem)]


def has_hidden_slots(keys: Path) -> bool:
    return any(is_hidden(path.stem) for path in user_slot_files(keys))


# -- inside the encrypted database ---------------------------------------------------------------
def read_slot_users(connection) -> dict[str, str]:
    stored = get_meta(connection, META_SLOT_USERS)
    try:
        value = json.loads(stored) if stored else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def write_slot_users(connection, mapping: dict[str, str]) -> None:
    set_meta(connection, META_SLOT_USERS, json.dumps(mapping, sort_keys=True))


def owner_of(connection, stem: str) -> str | None:
    """The user a slot belongs to, as the vault knows it; None for a slot it never recorded."""
    if stem == RECOVERY_STEM:
        return None
    if not is_hidden(stem):
        return stem
    return read_slot_users(connection).get(stem)


def hide_legacy_names(keys: Path, connection, transaction) -> list[str]:
    """Rename `keys/<user>.age` slots to hidden names; returns the users whose slot was renamed.

    The database learns the new name first, so a crash between the two steps leaves a slot that
    still opens under its old name (and is renamed at the next unlock)."""
    legacy = legacy_user_names(keys)
    if not legacy:
        return []
    mapping = read_slot_users(connection)
    renames = {user: new_stem(user) for user in legacy}
    with transaction(connection):
        live = {path.stem for path in slot_files(keys)}
        mapping = {stem: user for stem, user in mapping.items() if stem in live}
        mapping.update({stem: user for user, stem in renames.items()})
        write_slot_users(connection, mapping)
    for user, stem in renames.items():
        os.replace(keys / f"{user}{SLOT_SUFFIX}", keys / f"{stem}{SLOT_SUFFIX}")
    fsync_folder(keys)
    return sorted(renames)
