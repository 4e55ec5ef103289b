"""Labelled form rows with an inline message under each field (ValidationError.problems)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from fieldapp.i18n import _

ERROR_STYLE = "color: #b00020;"
_UNLIMITED = 16777215  # QWIDGETSIZE_MAX: widgets narrower than this keep their width, left-aligned


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
        self._next_row = 0

    def add(self, name: str, title: str, widget: QWidget) -> QWidget:
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
