"""Labelled form rows with an inline message under each field (ValidationError.problems)."""

from __future__ import annotations

from contextlib import ExitStack

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QGridLayout, QLabel, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from fieldapp.gui.widgets.signals import signals_blocked

from fieldapp.i18n import _

ERROR_STYLE = "color: #b00020;"
_UNLIMITED = 16777215  # QWIDGETSIZE_MAX: widgets narrower than this keep their width, left-aligned



def error_label(hidden: bool = False) -> QLabel:
    """A red, wrapping label for what went wrong; empty until there is something to say."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    if hidden:
        label.hide()
    return label

class FieldGrid(QWidget):
    """Rows of label | input, each with a hidden error line below the input.

    Titles are N_-marked and translated on retranslate(); `show_problems` puts each message under
    the field it names and returns the first input that has one (to give it focus)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setColumnStretch(1, 1)
        self._layout.setVerticalSpacing(2)
        self._rows: dict[str, tuple[QLabel, str, QWidget, QLabel]] = {}
        self._order: list[str] = []
        # Rows that are a field of the record: name -> (input, read, write); see load / collect_into.
        self._bound: dict[str, tuple[QWidget, object, object]] = {}
        self._next_row = 0

    def add(self, name: str, title: str, widget: QWidget, *, bound: bool = False, value: QWidget | None = None,
            read=None, write=None) -> QWidget:
        """A row for field `name`. `bound`: load() and collect_into() copy the record's `name` to
        and from `value` (the input inside `widget`, default `widget` itself), by the input's kind
        or by `read(input)` / `write(input, value)` when the field needs a conversion."""
        if bound:
            self.bind(name, value if value is not None else widget, read=read, write=write)
        label = QLabel(_(title), self)
        label.setBuddy(widget)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(0, 4, 0, 0)
        error = QLabel(self)
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        error.setObjectName(f"error_{name}")
        self._layout.addWidget(label, self._next_row, 0)
        if widget.maximumWidth() < _UNLIMITED:
            self._layout.addWidget(widget, self._next_row, 1, alignment=Qt.AlignmentFlag.AlignLeft)
        else:
            self._layout.addWidget(widget, self._next_row, 1)
        self._layout.addWidget(error, self._next_row + 1, 1)
        self._next_row += 2
        self._keep_rows_at_top()
        self._rows[name] = (label, title, widget, error)
        self._order.append(name)
        return widget

    def bind(self, name: str, field: QWidget, *, read=None, write=None) -> QWidget:
        """Make `field` hold the record's `name` for load() and collect_into() without a row of its
        own: an input inside another row (each victim count in the Victims row) or beside the grid."""
        self._bound[name] = (field, read or _read, write or _write)
        return field

    def add_widget(self, widget: QWidget) -> QWidget:
        """A full-width row without label (banners, notices)."""
        self._layout.addWidget(widget, self._next_row, 0, 1, 2)
        self._next_row += 1
        self._keep_rows_at_top()
        return widget

    def _keep_rows_at_top(self) -> None:
        # Spare height goes below the last row, so two grids side by side keep tight rows.
        for row in range(self._next_row):
            self._layout.setRowStretch(row, 0)
        self._layout.setRowStretch(self._next_row, 1)

    def names(self) -> list[str]:
        return list(self._order)

    def widget(self, name: str) -> QWidget:
        return self._rows[name][2]

    def label(self, name: str) -> QLabel:
        return self._rows[name][0]

    def error(self, name: str) -> str:
        error = self._rows[name][3]
        return error.text() if not error.isHidden() else ""

    def set_error(self, name: str, message: str) -> None:
        error = self._rows[name][3]
        error.setText(message)
        error.setVisible(bool(message))

    def clear_problems(self) -> None:
        for name in self._order:
            self.set_error(name, "")

    def show_problems(self, problems: dict[str, str]) -> tuple[QWidget | None, dict[str, str]]:
        """Show each message under its field; return (first field in error, problems not shown)."""
        first, rest = None, {}
        for name, message in problems.items():
            if name in self._rows:
                self.set_error(name, message)
            else:
                rest[name] = message
        for name in self._order:
            if self.error(name):
                first = self._rows[name][2]
                break
        return first, rest

    def retranslate(self) -> None:
        for label, title, _widget, _error in self._rows.values():
            label.setText(_(title))

    # -- record <-> inputs ---------------------------------------------------------------------
    def load(self, record, quiet: bool = False) -> None:
        """Show the bound fields of `record`; `quiet`: without the inputs' change signals."""
        with ExitStack() as stack:
            if quiet:
                for field, _read_value, _write_value in self._bound.values():
                    stack.enter_context(signals_blocked(field))
            for name, (field, _read_value, write) in self._bound.items():
                write(field, getattr(record, name))

    def collect_into(self, record):
        """Copy what the bound inputs hold into `record`; returns it."""
        for name, (field, read, _write_value) in self._bound.items():
            setattr(record, name, read(field))
        return record


def _read(field: QWidget):
    """The value of an input, by its kind: vocabulary lists and combos give codes, date inputs
    dates, the place picker a P-code, text inputs their text without surrounding spaces."""
    for getter in ("code", "codes", "pcode"):
        if hasattr(field, "set_" + getter):
            return getattr(field, getter)()
    if hasattr(field, "set_value"):
        return field.value()
    if isinstance(field, QAbstractButton):
        return field.isChecked()
    if isinstance(field, QLineEdit):
        return field.text().strip()
    if isinstance(field, QPlainTextEdit):
        return field.toPlainText().strip()
    if isinstance(field, QSpinBox):
        return field.value()
    raise TypeError(f"no value to read from {type(field).__name__}")


def _write(field: QWidget, value) -> None:
    for setter in ("set_code", "set_codes", "set_pcode", "set_value"):
        if hasattr(field, setter):
            getattr(field, setter)(value)
            return
    if isinstance(field, QAbstractButton):
        field.setChecked(bool(value))
    elif isinstance(field, QLineEdit):
        field.setText(value or "")
    elif isinstance(field, QPlainTextEdit):
        field.setPlainText(value or "")
    elif isinstance(field, QSpinBox):
        field.setValue(value or 0)
    else:
        raise TypeError(f"no value to write to {type(field).__name__}")


def optional_count(field: QSpinBox):
    """A count whose 0 means unknown (the spin box shows "Unknown")."""
    return field.value() or None
