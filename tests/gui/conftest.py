"""GUI fixtures: a main window on an unlocked copy of the template vault, Qt's language reset."""

from __future__ import annotations

import gc

import pytest

from fieldapp.gui.context import AppContext
from fieldapp.gui.main_window import MainWindow
from fieldapp.gui.qt_i18n import apply_language
from fieldapp.gui.workers import wait_for_all


@pytest.fixture(scope="session", autouse=True)
def finish_qt_work(qapp):
    """Let worker threads end and Qt objects go while QApplication still exists: objects left
    to the interpreter's final garbage collection have crashed it (PySide6, rarely)."""
    yield
    wait_for_all()
    qapp.processEvents()
    gc.collect()
    qapp.processEvents()


@pytest.fixture(autouse=True)
def qt_english(qapp):
    """Every GUI test starts and ends in English, Qt's own strings included."""
    apply_language("en")
    yield
    apply_language("en")


@pytest.fixture
def context(qapp):
    return AppContext()


@pytest.fixture
def window(qtbot, context, session):
    """The main window, unlocked on the `session` fixture (amina, Beni field office)."""
    main = MainWindow(context, session.vault)
    qtbot.addWidget(main)
    main.show()
    main.on_unlocked(session)
    yield main
    main.lock()
