"""Opening the SQLCipher database with a raw key, and running the ordered schema migrations."""

from __future__ import annotations

import contextlib
import os
import re
from importlib import resources
from pathlib import Path

import sqlcipher3

from fieldapp.errors import VaultError
from fieldapp.i18n import _
from fieldapp.store import secret

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
DatabaseError = sqlcipher3.DatabaseError
# SQLCipher wipes every buffer SQLite frees (decrypted pages, rows, statements), so that closing
# the database at lock leaves no record in freed memory. Once on, it stays on for the process.
# Its cost on saves and lists is in docs/PERFORMANCE.md; the benchmark turns it off to compare.
MEMORY_SECURITY = True


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration, in order."""
    folder = resources.files("fieldapp.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    return migrations()[-1][0]


def connect(path: Path, raw_key: bytearray) -> sqlcipher3.Connection:
    """Open (or create) the database keyed with `raw_key`. Raises VaultError if it will not open."""
    connection = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    _owner_only(path)
    try:
        connection.execute("PRAGMA cipher_memory_security = " + ("ON" if MEMORY_SECURITY else "OFF"))
        # A raw 256-bit key skips SQLCipher's own PBKDF2: the key slots already did the slow work.
        # sqlite3_key with the `x'<hex>'` form built in a buffer wiped at once: a `PRAGMA key`
        # statement would leave the hex key in a Python str and in the statement cache.
        literal = secret.key_literal(raw_key)
        try:
            connection.set_key(literal)
        finally:
            secret.wipe(literal)
        # Reading the schema is the first access that needs the key; a wrong key or a damaged
        # header fails here.
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connection.execute("PRAGMA journal_mode = WAL")
        # FULL: a save that returned survives a power cut, not only a crash of the app.
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA temp_store = MEMORY")
        connection.execute("PRAGMA busy_timeout = 5000")
    except DatabaseError as error:
        connection.close()
        raise VaultError(_("The database file is damaged or does not belong to this vault ({detail}).").format(
            detail=str(error))) from error
    return connection


def _owner_only(path: Path) -> None:
    # Encrypted or not, nobody else on a shared laptop needs to read the vault's files.
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            os.chmod(candidate, 0o600)
        except OSError:
            pass


def schema_version(connection: sqlcipher3.Connection) -> int:
    return connection.execute("PRAGMA user_version").fetchone()[0]


def migrate(connection: sqlcipher3.Connection) -> list[str]:
    """Apply every migration newer than the database, each in its own transaction."""
    applied = []
    current = schema_version(connection)
    newest = latest_version()
    if current > newest:
        raise VaultError(_("This vault was written by a newer version of fieldapp (schema {found}, this "
                           "version knows up to {known}). Install the newer version.").format(
            found=current, known=newest))
    for version, name, sql in migrations():
        if version <= current:
            continue
        with transaction(connection):
            for statement in _statements(sql):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {version:d}")
        applied.append(name)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into statements; `sqlite3.complete_statement` keeps triggers whole."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlcipher3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


@contextlib.contextmanager
def transaction(connection: sqlcipher3.Connection):
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception. Not re-entrant."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    else:
        connection.execute("COMMIT")
