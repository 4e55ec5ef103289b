"""Run long work (key derivation, imports, exports, bundles) off the GUI thread.

Start every job through the app context's owner of jobs, never with `Worker(...)` directly:

    worker = context.jobs.start(fn, on_done=…, on_error=…, on_progress=…, on_cancelled=…)
    worker = context.jobs.run_with_progress(parent, title, fn, on_done, on_error=…, label=…)

so that lock and exit cancel every job and wait for it to end, in one place (`Jobs.stop_all`),
before the key is dropped and the database closed. A job started while a session is
open runs inside `session.own_connection()`: its reads and writes go through a connection of its
own, and the GUI thread never sees its uncommitted rows.

The work is a plain callable `fn(report_progress, is_cancelled)` that knows nothing of Qt:
it calls `report_progress(done, total)` now and then, checks `is_cancelled()` between steps
and, when cancelled, leaves the data as it was and either returns or raises `Cancelled`.
Callbacks (progress, done, error, cancelled) are delivered on the GUI thread through queued
signals; the worker thread never touches a widget.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from fieldapp.errors import FieldappError
from fieldapp.i18n import _

ProgressFn = Callable[[int, int], None]
WorkFn = Callable[[ProgressFn, Callable[[], bool]], Any]

# Below this interval progress reports are coalesced: an import of 200 000 rows must not flood
# the GUI thread's event queue with 200 000 events.
_PROGRESS_INTERVAL = 0.05


class Cancelled(Exception):
    """Raised by a work function that stops early because the user cancelled."""


class _Thread(QThread):
    def __init__(self, worker: "Worker"):
        super().__init__()
        self._worker = worker

    def run(self) -> None:
        self._worker._run_in_thread()


class Worker(QObject):
    """One run of `fn` in its own QThread. Keep no reference needed: running workers are held."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)
    was_cancelled = Signal()
    finished = Signal()  # after exactly one of succeeded / failed / was_cancelled

    _running: set["Worker"] = set()

    def __init__(
        self,
        fn: WorkFn,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: ProgressFn | None = None,
        on_cancelled: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._fn = fn
        self._cancel_event = threading.Event()
        self._last_report = 0.0
        self._thread = _Thread(self)
        # Queued explicitly: the emitting thread is the worker thread, the slots are GUI code.
        if on_done is not None:
            self.succeeded.connect(on_done, Qt.ConnectionType.QueuedConnection)
        if on_error is not None:
            self.failed.connect(on_error, Qt.ConnectionType.QueuedConnection)
        if on_progress is not None:
            self.progressed.connect(on_progress, Qt.ConnectionType.QueuedConnection)
        if on_cancelled is not None:
            self.was_cancelled.connect(on_cancelled, Qt.ConnectionType.QueuedConnection)
        self.finished.connect(self._forget, Qt.ConnectionType.QueuedConnection)

    @property
    def cancelled(self) -> bool:
        return self._cancel_event.is_set()

    def cancel(self) -> None:
        """Ask the work to stop; it stops at its next is_cancelled() check."""
        self._cancel_event.set()

    def start(self) -> "Worker":
        Worker._running.add(self)
        self._thread.start()
        return self

    def is_running(self) -> bool:
        """True until the work has returned (or raised) and its thread has ended."""
        return self._thread.isRunning()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the thread ends (tests, and application exit). True if it ended."""
        if msecs < 0:
            return self._thread.wait()
        return self._thread.wait(msecs)

    def _report(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last_report < _PROGRESS_INTERVAL:
            return
        self._last_report = now
        self.progressed.emit(int(done), int(total))

    def _run_in_thread(self) -> None:
        try:
            result = self._fn(self._report, self._cancel_event.is_set)
        except Cancelled:
            self.was_cancelled.emit()
        except BaseException as error:  # noqa: BLE001 - every failure must reach the GUI
            if self.cancelled:
                self.was_cancelled.emit()
            else:
                self.failed.emit(error)
        else:
            if self.cancelled:
                self.was_cancelled.emit()
            else:
                self.succeeded.emit(result)
        self.finished.emit()

    def _forget(self) -> None:
        self._thread.wait()
        Worker._running.discard(self)


def start_key_work(worker: "Worker", shown: QWidget) -> None:
    """Start a worker whose work is scrypt key derivation (unlock, vault creation, new passphrase).

    The derivation itself runs in a child process (store/keyderive.py), so the window keeps
    painting; the busy cursor says that the second or so of waiting is expected.
    These are the only jobs started outside `Jobs`: they run before any session exists (unlock,
    vault creation, recovery), so a lock has nothing of theirs to stop; app exit waits for them
    with wait_for_all() after AppContext.shutdown().
    """
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    worker.finished.connect(QApplication.restoreOverrideCursor, Qt.ConnectionType.QueuedConnection)
    shown.repaint()
    worker.start()


def wait_for_all(msecs: int = 10_000) -> None:
    """Let running workers finish (application exit): a QThread destroyed while running aborts."""
    for worker in list(Worker._running):
        worker.cancel()
        worker.wait(msecs)


def error_message(error: BaseException) -> str:
    """The one line shown to a user for a failure inside a worker."""
    if isinstance(error, FieldappError):
        return str(error)
    return _("Unexpected error: {error}").format(error=f"{type(error).__name__}: {error}")


def show_error(parent: QWidget | None, title: str, error: BaseException) -> None:
    QMessageBox.warning(parent, title, error_message(error))


def _run_with_progress(
    jobs: "Jobs",
    parent: QWidget | None,
    title: str,
    fn: WorkFn,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
    label: str | None = None,
    on_cancelled: Callable[[], None] | None = None,
) -> Worker:
    """Run `fn` in a worker behind a window-modal progress dialog with a Cancel button.

    on_error defaults to a warning box with the error's one-line message. The dialog appears
    only if the work lasts longer than half a second, so quick jobs do not flash a window.
    Returns the started worker (its `dialog` attribute is the progress dialog).
    Called as `context.jobs.run_with_progress(parent, title, fn, on_done, …)`.
    """
    dialog = QProgressDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label or title)
    dialog.setCancelButtonText(_("Cancel"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(500)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setRange(0, 0)  # busy indicator until the first report gives a total
    dialog.setValue(0)

    def progress(done: int, total: int) -> None:
        if total > 0:
            # QProgressDialog works in int; scale large totals to stay within its range.
            dialog.setRange(0, 1000)
            dialog.setValue(min(1000, int(1000 * done / total)))
        else:
            dialog.setRange(0, 0)

    def close_dialog() -> None:
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()

    def done(result: Any) -> None:
        close_dialog()
        on_done(result)

    def error(exc: BaseException) -> None:
        close_dialog()
        if on_error is not None:
            on_error(exc)
        else:
            show_error(parent, title, exc)

    def cancelled() -> None:
        close_dialog()
        if on_cancelled is not None:
            on_cancelled()

    worker = jobs.start(fn, on_done=done, on_error=error, on_progress=progress, on_cancelled=cancelled)

    def request_cancel() -> None:
        worker.cancel()
        # Keep the dialog up (busy) until the work has actually stopped and rolled back.
        dialog.show()
        dialog.setLabelText(_("Cancelling…"))
        dialog.setRange(0, 0)

    dialog.canceled.connect(request_cancel)
    worker.dialog = dialog
    return worker


class Jobs(QObject):
    """The one owner of every background job (AppContext.jobs; docs/STYLE.md).

    `current_session()` gives the open session, or None while locked. A job started while one
    is open runs inside `session.own_connection()` (see the module docstring); one started
    without (unlock, vault creation, restore into another folder) runs as it is.
    `stop_all(session)` is what lock and exit call: cancel every job, interrupt the statement
    each is running, and wait until every one has ended; only then may the session be locked.
    """

    def __init__(self, current_session: Callable[[], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._current_session = current_session
        self._jobs: set[Worker] = set()

    def start(
        self,
        fn: WorkFn,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: ProgressFn | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Worker:
        """Run `fn(report_progress, is_cancelled)` in a worker thread; returns the started Worker.

        Callbacks land on the GUI thread. A job cancelled by a lock reports on_cancelled (after
        the lock: check `context.is_unlocked` before touching the session there)."""
        session = self._current_session()
        work = fn if session is None else _with_own_connection(session, fn)
        worker = Worker(work, on_done=on_done, on_error=on_error, on_progress=on_progress,
                        on_cancelled=on_cancelled)
        self._jobs.add(worker)
        worker.finished.connect(lambda: self._jobs.discard(worker), Qt.ConnectionType.QueuedConnection)
        return worker.start()

    def run_with_progress(self, parent: QWidget | None, title: str, fn: WorkFn, on_done: Callable[[Any], None],
                          on_error: Callable[[BaseException], None] | None = None, label: str | None = None,
                          on_cancelled: Callable[[], None] | None = None) -> Worker:
        """`start` behind a window-modal progress dialog with a Cancel button (see _run_with_progress)."""
        return _run_with_progress(self, parent, title, fn, on_done, on_error, label, on_cancelled)

    def running(self) -> list[Worker]:
        return [worker for worker in self._jobs if worker.is_running()]

    def stop_all(self, session=None) -> None:
        """Cancel every job and block until each has ended (its transaction rolled back, its
        partial files removed). `session`: the one being locked, whose jobs' statements are
        interrupted so that a long query or a backup's VACUUM INTO stops at once."""
        jobs = list(self._jobs)
        for worker in jobs:
            worker.cancel()
        if session is not None:
            session.interrupt_jobs()
        for worker in jobs:
            # No time limit: closing the database under a job still writing could leave half a
            # file or a failed rollback. Every job checks is_cancelled() between steps.
            worker.wait()
            self._jobs.discard(worker)


def _with_own_connection(session, fn: WorkFn) -> WorkFn:
    def work(report: ProgressFn, is_cancelled: Callable[[], bool]) -> Any:
        with session.own_connection():
            return fn(report, is_cancelled)
    return work
