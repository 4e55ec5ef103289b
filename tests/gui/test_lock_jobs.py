"""Lock and exit while an export, a places import and a backup are running: the app context stops
every job in one place, nothing is half-written, and the database closes only after the last job
has ended (gui/context.py, gui/workers.py Jobs, store/db.py Database)."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from fieldapp.gui.documents_page import EXPORT, DocumentsPage
from fieldapp.gui.main_window import MainWindow
from fieldapp.gui.places_page import PlacesPage
from fieldapp.gui.workers import Worker
from fieldapp.store.db import Database
from tests.conftest import PCODES, USER
from tests.documents_support import open_filled_vault


@pytest.fixture
def filled_window(qtbot, context, template_vault, tmp_path):
    session = open_filled_vault(template_vault, tmp_path, records=40)
    main = MainWindow(context, session.vault)
    qtbot.addWidget(main)
    main.show()
    main.on_unlocked(session)
    yield main, session
    main.lock()
    context.jobs.stop_all()
    session.close()


@pytest.fixture
def events(monkeypatch):
    """What happened, in order and from whichever thread: each job holds at its first progress
    report until it is cancelled (so it is surely running when the window locks), and every
    close of a database is noted."""
    log: list[tuple[str, float]] = []
    lock = threading.Lock()
    holding = []
    report = Worker._report

    def held_report(self, done, total):
        if not getattr(self, "held", False):
            self.held = True
            with lock:
                holding.append(self)
            deadline = time.monotonic() + 30
            while not self.cancelled and time.monotonic() < deadline:
                time.sleep(0.005)
        report(self, done, total)

    close = Database.close

    def noted_close(self):
        with lock:
            log.append(("database closed", time.monotonic()))
        close(self)

    monkeypatch.setattr(Worker, "_report", held_report)
    monkeypatch.setattr(Database, "close", noted_close)

    def note_end(worker):
        worker.finished.connect(lambda: log.append(("job ended", time.monotonic())),
                                Qt.ConnectionType.DirectConnection)  # in the worker thread, as it ends
    events = type("Events", (), {})()
    events.log, events.holding, events.note_end = log, holding, note_end
    return events


def _page(window, kind):
    return next(page for page in window.pages if isinstance(page, kind))


def _start_three_jobs(window, session, qtbot, tmp_path, monkeypatch, events):
    out = tmp_path / "usb"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(PCODES / "CAF_pcodes.csv"), ""))

    documents = _page(window, DocumentsPage)
    window.show_page(documents)
    documents.document.setCurrentIndex(documents.document.findData(EXPORT))
    documents.kind.setCurrentIndex(documents.kind.findData("referrals"))
    documents.format.setCurrentIndex(documents.format.findData("xlsx"))
    documents.area.clear()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out / "referrals.xlsx"), ""))
    qtbot.mouseClick(documents.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(events.holding) == 1, timeout=10_000)

    places = _page(window, PlacesPage)
    window.show_page(places)
    places.import_button.click()  # the progress dialog above is window-modal: a click on the button itself
    qtbot.waitUntil(lambda: len(events.holding) == 2, timeout=10_000)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out / "beni.fieldbackup"), ""))
    window.backup_actions.backup_action.trigger()
    qtbot.waitUntil(lambda: len(events.holding) == 3, timeout=10_000)

    jobs = window.context.jobs.running()
    assert len(jobs) == 3
    for worker in jobs:
        events.note_end(worker)
    return out, jobs


def _check_nothing_half_written(window, session, out, places_before, audit_before, recovery_key, jobs):
    assert not any(worker.is_running() for worker in jobs)
    # Every job ended before the database closed, and it closed once.
    kinds = [kind for kind, _at in events_sorted(window)]
    assert kinds == ["job ended"] * 3 + ["database closed"], kinds
    assert list(out.iterdir()) == []  # no export, no backup, no temp file of either
    assert not list(session.vault.path.glob(".backup-*"))  # nor the backup's snapshot
    with session.vault.unlock_with_recovery(recovery_key, USER) as reopened:
        assert reopened.places.count() == places_before  # no place of the CAF file
        since = reopened.audit.entries(limit=reopened.audit.count() - audit_before)
        assert not [entry.action for entry in since if entry.action in ("export", "backup")]
        assert reopened.verify() == []


def events_sorted(window):
    return sorted(window.test_events.log, key=lambda entry: entry[1])


def test_locking_stops_every_job_and_closes_the_database_after_the_last(filled_window, events, qtbot, tmp_path,
                                                                         monkeypatch, template_vault):
    window, session = filled_window
    window.test_events = events
    places_before, audit_before = session.places.count(), session.audit.count()
    out, jobs = _start_three_jobs(window, session, qtbot, tmp_path, monkeypatch, events)

    began = time.monotonic()
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.context.is_unlocked, timeout=5000)
    assert time.monotonic() - began < 3  # the jobs stop at once, they are not waited out
    assert window.stack.currentWidget() is window.unlock_screen
    _check_nothing_half_written(window, session, out, places_before, audit_before, template_vault[1], jobs)


def test_quitting_stops_every_job_before_the_database_closes(filled_window, events, qtbot, tmp_path, monkeypatch,
                                                             template_vault):
    window, session = filled_window
    window.test_events = events
    places_before, audit_before = session.places.count(), session.audit.count()
    out, jobs = _start_three_jobs(window, session, qtbot, tmp_path, monkeypatch, events)

    window.quit_action.trigger()  # File › Quit: the window closes, then app.run() shuts the context down
    window.context.shutdown()
    assert not window.context.is_unlocked and not window.isVisible()
    _check_nothing_half_written(window, session, out, places_before, audit_before, template_vault[1], jobs)
