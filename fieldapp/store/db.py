"""Opening the SQLCipher database with a raw key, and running the ordered schema migrations."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from importlib import resources
from pathlib import Path

import sqlcipher3

from fieldapp.errors import VaultError
from fieldapp.i18n import _
from fieldapp.store import secret

# How long a write waits for another thread's transaction (and SQLite for another process's).
BUSY_TIMEOUT_MS = 5000
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


def connect(path: Path, raw_key: bytearray) -> "Database":
    """Open (or create) the database keyed with `raw_key`. Raises VaultError if it will not open."""
    return Database(path, raw_key)


def _open(path: Path, raw_key: bytearray) -> sqlcipher3.Connection:
    # check_same_thread=False: the connection opened by an unlock job is then used by the GUI
    # thread. It is never used by two threads at once for writing: see Database.
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
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    except DatabaseError as error:
        connection.close()
        raise VaultError(_("The database file is damaged or does not belong to this vault ({detail}).").format(
            detail=str(error))) from error
    return connection


class NestedTransactionError(RuntimeError):
    """A programming error: transaction() inside a transaction() on the same thread.

    A nested block does not join the open one: "one user action, one transaction"
    must be visible in the code, so the inner work calls the `*_in_transaction` methods instead.
    """


class Database:
    """The vault's database for every thread of the process: the one owner of its connections.

    - The shared connection serves the thread that unlocked and then the GUI thread (or the
      command line). A background job runs inside `own_connection()`: its thread then gets a
      connection of its own, opened on first use and closed when the job ends, so that in WAL
      mode the GUI thread reads the last committed state while the job writes, never the job's
      uncommitted rows (which a cancelled job rolls back).
    - Only one thread at a time is inside `transaction()`: a second one waits for the lock, at
      most BUSY_TIMEOUT_MS, and then gets a one-line VaultError (nothing written).
    - `close()` closes every connection; the app closes it only after its last job has ended
      (gui/context.py).

    `raw_key` is the Session's own bytearray: opening a job's connection needs it, and the
    Session wipes it in place at lock, after close().
    """

    def __init__(self, path: Path, raw_key: bytearray):
        self._path = Path(path)
        self._key = raw_key
        self._shared = _open(self._path, raw_key)
        self._write_lock = threading.Lock()
        self._writer: int | None = None  # thread id inside transaction()
        self._guard = threading.Lock()  # for _own and _closed
        self._own: dict[int, sqlcipher3.Connection | None] = {}  # thread id -> its job's connection
        self._closed = False

    # -- what the repositories call ---------------------------------------------------------
    def execute(self, sql: str, parameters=()):
        return self._current().execute(sql, parameters)

    def executemany(self, sql: str, parameters):
        return self._current().executemany(sql, parameters)

    def set_trace_callback(self, callback) -> None:
        """Have `callback(sql)` see every statement this thread's connection runs (None to stop)."""
        self._current().set_trace_callback(callback)

    def _current(self) -> sqlcipher3.Connection:
        ident = threading.get_ident()
        with self._guard:
            if self._closed:
                raise VaultError(_("The vault is locked."))
            if ident not in self._own:
                return self._shared
            connection = self._own[ident]
        if connection is None:  # opened outside the guard: other threads need not wait for it
            connection = _open(self._path, self._key)
            with self._guard:
                if self._closed:
                    connection.close()
                    raise VaultError(_("The vault is locked."))
                self._own[ident] = connection
        return connection

    def rollback(self) -> None:
        """ROLLBACK, unless SQLite already ended the transaction (an interrupted statement)."""
        if self._current().in_transaction:
            self._current().execute("ROLLBACK")

    # -- background jobs ----------------------------------------------------------------------
    @contextlib.contextmanager
    def own_connection(self):
        """Inside this block, the current thread uses a connection of its own (see the class)."""
        ident = threading.get_ident()
        with self._guard:
            if self._closed:
                raise VaultError(_("The vault is locked."))
            if ident in self._own:
                raise RuntimeError("own_connection() is already open on this thread")
            self._own[ident] = None
        try:
            yield self
        finally:
            with self._guard:
                connection = self._own.pop(ident, None)
            if connection is not None:
                connection.close()

    def interrupt_jobs(self) -> None:
        """Make the statement each job's connection is running stop at once (a cancelled
        backup's VACUUM INTO, a long export query): it fails, and its transaction rolls back."""
        with self._guard:  # a job closes its connection only after taking it out of _own
            for connection in self._own.values():
                if connection is not None:
                    connection.interrupt()

    # -- transactions -------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self):
        """The write lock transaction() takes: one thread at a time, never twice by one thread."""
        ident = threading.get_ident()
        if self._writer == ident:
            raise NestedTransactionError(
                "transaction() is already open on this thread; nested transactions do not join: "
                "do the inner work inside the open one (the *_in_transaction methods)")
        if not self._write_lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise VaultError(_("Another task is still writing to the vault. Try again when it has finished."))
        self._writer = ident
        try:
            yield
        finally:
            self._writer = None
            self._write_lock.release()

    @property
    def in_transaction(self) -> bool:
        """True while the current thread is inside transaction()."""
        return self._writer == threading.get_ident()

    # -- closing ------------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close every connection (SQLCipher wipes its copy of the key and its pages)."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
            connections = [c for c in self._own.values() if c is not None] + [self._shared]
            self._own.clear()
        for connection in connections:
            connection.close()


def _owner_only(path: Path) -> None:
    # Encrypted or not, nobody else on a shared laptop needs to read the vault's files.
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            os.chmod(candidate, 0o600)
        except OSError:
            pass


def schema_version(connection: "Database") -> int:
    return connection.execute("PRAGMA user_version").fetchone()[0]


def migrate(connection: "Database") -> list[str]:
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
def transaction(connection: Database):
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception, holding the database's write lock.

    Two threads are never inside at once; a nested call on the same thread raises
    NestedTransactionError (it does not join the open transaction)."""
    with connection.writing():
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        else:
            connection.execute("COMMIT")
