"""Long work runs off the GUI thread, reports progress there, and can be cancelled."""

import threading
import time

from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from fieldapp.errors import ImportFileError
from fieldapp.gui.workers import Cancelled, Jobs, Worker


def test_work_runs_off_gui_thread_and_callbacks_land_on_it(qtbot):
    gui_thread = QThread.currentThread()
    seen = {}

    def work(report, is_cancelled):
        seen["work_thread"] = threading.get_ident()
        for i in range(5):
            report(i + 1, 5)
        return 42

    progress_threads, results = [], []
    worker = Worker(work, on_done=results.append,
                    on_progress=lambda d, t: progress_threads.append((d, t, QThread.currentThread())))
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    qtbot.waitUntil(lambda: results == [42], timeout=2000)
    assert seen["work_thread"] != threading.get_ident()
    assert progress_threads and all(t is gui_thread for _, _, t in progress_threads)
    assert progress_threads[-1][:2] == (5, 5)  # the final report is never coalesced away


def test_the_window_keeps_processing_events_while_work_runs(qtbot):
    release = threading.Event()
    worker = Worker(lambda report, cancelled: release.wait(5))
    worker.start()
    ticks = []
    from PySide6.QtCore import QTimer
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=2000)
    release.set()
    assert worker.wait(5000)


def test_cancel_stops_the_work_and_reports_cancelled_not_done(qtbot):
    steps, done, cancelled = [], [], []

    def work(report, is_cancelled):
        for i in range(1000):
            if is_cancelled():
                raise Cancelled()
            steps.append(i)
            time.sleep(0.005)
        return "finished"

    worker = Worker(work, on_done=done.append, on_cancelled=lambda: cancelled.append(True))
    worker.start()
    qtbot.waitUntil(lambda: len(steps) > 3, timeout=2000)
    worker.cancel()
    assert worker.cancelled
    qtbot.waitUntil(lambda: cancelled == [True], timeout=5000)
    assert done == [] and len(steps) < 1000


def test_errors_reach_on_error_with_the_exception(qtbot):
    errors = []

    def work(report, is_cancelled):
        raise ImportFileError("The file has no admin1Pcode column.")

    worker = Worker(work, on_error=errors.append)
    worker.start()
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert str(errors[0]) == "The file has no admin1Pcode column."


def test_progress_dialog_cancel_button_cancels_the_work(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    started, cancelled, done = threading.Event(), [], []

    def work(report, is_cancelled):
        started.set()
        total = 10_000
        for i in range(total):
            if is_cancelled():
                return None
            report(i, total)
            time.sleep(0.001)
        return "done"

    worker = Jobs(lambda: None).run_with_progress(parent, "Importing places", work, on_done=done.append,
                                                  on_cancelled=lambda: cancelled.append(True))
    dialog = worker.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    assert dialog.windowTitle() == "Importing places"
    qtbot.waitUntil(lambda: dialog.value() > 0, timeout=3000)
    from PySide6.QtWidgets import QPushButton
    (cancel_button,) = dialog.findChildren(QPushButton)
    assert cancel_button.text() == "Cancel"
    qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cancelled == [True], timeout=5000)
    assert done == []
    QApplication.processEvents()
    assert not [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]
