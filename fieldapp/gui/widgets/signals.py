"""Blocking a widget's signals for a moment.

Not QSignalBlocker: used as a context manager in PySide6 6.12 it corrupts the reference count of
None/False, and the interpreter aborts at exit after a few thousand uses.
"""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def signals_blocked(obj):
    previous = obj.blockSignals(True)
    try:
        yield obj
    finally:
        obj.blockSignals(previous)
