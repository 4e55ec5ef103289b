"""One owner for the database across threads (store/db.py Database): never two threads inside
transaction() at once, no nesting on one thread, a job's uncommitted rows never seen by the other
thread, and close() ends every connection. No Qt here."""

from __future__ import annotations

import threading
import time

import pytest

from fieldapp.errors import VaultError
from fieldapp.store import db
from fieldapp.store.db import NestedTransactionError, transaction


def _meta(connection, key: str):
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _hold_transaction(connection, inside: threading.Event, release: threading.Event, log: list, key: str,
                      own: bool = False):
    def run():
        def body():
            with transaction(connection):
                log.append(("enter", key, time.monotonic()))
                connection.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", (key,))
                inside.set()
                release.wait(10)
                log.append(("leave", key, time.monotonic()))
        try:
            if own:
                with connection.own_connection():
                    body()
            else:
                body()
        except BaseException as error:  # noqa: BLE001 - the test reads it
            log.append(("error", key, error))
            inside.set()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("own", [False, True], ids=["shared-connection", "own-connection"])
def test_two_threads_are_never_inside_a_transaction_at_once(session, own):
    connection = session.connection
    log: list = []
    first_inside, second_inside, release_first, release_second = (threading.Event() for _ in range(4))
    first = _hold_transaction(connection, first_inside, release_first, log, "first", own)
    assert first_inside.wait(5)
    second = _hold_transaction(connection, second_inside, release_second, log, "second", own)
    # The second thread is kept out while the first holds its transaction open.
    assert not second_inside.wait(0.5)
    assert [entry[:2] for entry in log] == [("enter", "first")]
    release_first.set()
    assert second_inside.wait(5)
    release_second.set()
    first.join(5)
    second.join(5)
    assert [entry[:2] for entry in log] == [("enter", "first"), ("leave", "first"), ("enter", "second"),
                                             ("leave", "second")]
    assert log[2][2] >= log[1][2]  # the second entered only after the first had left
    assert _meta(connection, "first") == "x" and _meta(connection, "second") == "x"


def test_a_writer_kept_waiting_too_long_gets_one_line_and_writes_nothing(session, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    connection = session.connection
    log: list = []
    inside, release = threading.Event(), threading.Event()
    holder = _hold_transaction(connection, inside, release, log, "holder", own=True)
    assert inside.wait(5)
    try:
        with pytest.raises(VaultError, match="^Another task is still writing to the vault. Try again when it has "
                                             "finished.$"):
            with transaction(connection):
                connection.execute("INSERT INTO meta (key, value) VALUES ('refused', 'x')")
    finally:
        release.set()
        holder.join(5)
    assert _meta(connection, "refused") is None
    assert _meta(connection, "holder") == "x"
    with transaction(connection):  # the lock is free again
        connection.execute("INSERT INTO meta (key, value) VALUES ('after', 'x')")
    assert _meta(connection, "after") == "x"


def test_a_nested_transaction_on_the_same_thread_is_a_programming_error_and_rolls_back(session):
    connection = session.connection
    with pytest.raises(NestedTransactionError, match="already open on this thread"):
        with transaction(connection):
            connection.execute("INSERT INTO meta (key, value) VALUES ('outer', 'x')")
            with transaction(connection):
                connection.execute("INSERT INTO meta (key, value) VALUES ('inner', 'x')")
    assert _meta(connection, "outer") is None and _meta(connection, "inner") is None
    assert not connection.in_transaction
    with transaction(connection):  # and the lock was given back
        connection.execute("INSERT INTO meta (key, value) VALUES ('later', 'x')")
    assert _meta(connection, "later") == "x"


def test_reads_on_the_shared_connection_never_see_a_jobs_uncommitted_rows(session):
    connection = session.connection
    inside, release = threading.Event(), threading.Event()
    failing = threading.Event()

    def job():
        with connection.own_connection():
            try:
                with transaction(connection):
                    connection.execute("INSERT INTO meta (key, value) VALUES ('uncommitted', 'x')")
                    inside.set()
                    release.wait(10)
                    raise RuntimeError("cancelled")
            except RuntimeError:
                failing.set()

    thread = threading.Thread(target=job)
    thread.start()
    assert inside.wait(5)
    assert _meta(connection, "uncommitted") is None  # the GUI thread reads while the job writes
    release.set()
    thread.join(5)
    assert failing.is_set() and _meta(connection, "uncommitted") is None  # rolled back, never seen


def test_a_jobs_committed_rows_are_seen_at_once_by_the_shared_connection(session):
    connection = session.connection
    log: list = []
    inside, release = threading.Event(), threading.Event()
    thread = _hold_transaction(connection, inside, release, log, "job", own=True)
    assert inside.wait(5)
    assert _meta(connection, "job") is None
    release.set()
    thread.join(5)
    assert _meta(connection, "job") == "x"


def test_lock_interrupts_a_jobs_running_statement_and_closes_every_connection(session):
    connection = session.connection
    started, outcome = threading.Event(), []

    def job():
        try:
            with session.own_connection():
                connection.execute("SELECT 1").fetchone()
                started.set()
                # A statement that would run for minutes: only sqlite3_interrupt stops it.
                connection.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                                   "SELECT count(*) FROM n").fetchone()
                outcome.append("finished")
        except db.DatabaseError as error:
            outcome.append(str(error))

    thread = threading.Thread(target=job)
    thread.start()
    assert started.wait(5)
    time.sleep(0.2)
    began = time.monotonic()
    session.interrupt_jobs()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - began < 2
    assert outcome == ["interrupted"]
    session.lock()
    assert connection.closed
    with pytest.raises(VaultError, match="The vault is locked"):
        connection.execute("SELECT 1")
