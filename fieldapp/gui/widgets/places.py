"""The place picker (type any part of a name at any level, see its path, keep its P-code) and a
cache of place labels for list cells."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QWidget

from fieldapp.gui.widgets.signals import signals_blocked
from fieldapp.i18n import _, language

_MAX_RESULTS = 25


class PlaceNames:
    """Path labels ("Nord-Kivu › Beni") by P-code, looked up once per language."""

    def __init__(self, context):
        self._context = context
        self._labels: dict[tuple[str, str], str] = {}

    def label(self, pcode: str) -> str:
        if not pcode:
            return ""
        key = (language(), pcode)
        if key not in self._labels:
            if not self._context.is_unlocked:
                return pcode
            self._labels[key] = self._context.session.places.path_label(pcode, language())
        return self._labels[key]

    def clear(self) -> None:
        self._labels.clear()


class PlacePicker(QWidget):
    """A line edit that searches the gazetteer as you type. `pcode()` is the chosen place."""

    changed = Signal(str)

    def __init__(self, context, parent=None):
        super().__init__(parent)
        self._context = context
        self._pcode = ""
        self._results: list[tuple[str, str]] = []  # (pcode, path label)
        self.edit = QLineEdit(self)
        self.edit.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setMinimumWidth(60)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.status)
        self.setFocusProxy(self.edit)
        self._list = QStringListModel(self)
        self.completer = QCompleter(self._list, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setWidget(self.edit)
        self.completer.activated[str].connect(self._picked_text)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(80)
        self._timer.timeout.connect(self._search)
        self.edit.textEdited.connect(self._edited)
        self.edit.editingFinished.connect(self._finish)
        self.edit.installEventFilter(self)
        self.retranslate()

    # -- values --------------------------------------------------------------------------------
    def pcode(self) -> str:
        return self._pcode

    def set_pcode(self, pcode: str | None) -> None:
        self._pcode = pcode or ""
        label = ""
        if self._pcode and self._context.is_unlocked:
            label = self._context.session.places.path_label(self._pcode, language())
        with signals_blocked(self.edit):
            self.edit.setText(label)
        self._show_status()

    def problem(self) -> str:
        """A message when text was typed that names no place (the P-code would be lost)."""
        if self.edit.text().strip() and not self._pcode:
            return _("No place matches “{text}”. Choose one from the list.").format(text=self.edit.text().strip())
        return ""

    def clear(self) -> None:
        self._timer.stop()
        self._results = []
        self._list.setStringList([])
        self._pcode = ""
        with signals_blocked(self.edit):
            self.edit.clear()
        self._show_status()

    def retranslate(self) -> None:
        self.edit.setPlaceholderText(_("Type a place name or P-code"))
        if self._pcode:
            self.set_pcode(self._pcode)
        self._show_status()

    # -- searching -----------------------------------------------------------------------------
    def _edited(self, text: str) -> None:
        had = self._pcode
        self._pcode = ""
        self._show_status()
        if not text.strip():
            self._results = []
            self._list.setStringList([])
            self.completer.popup().hide()
            if had:
                self.changed.emit("")
            return
        self._timer.start()

    def _search(self) -> None:
        text = self.edit.text().strip()
        if not text or not self._context.is_unlocked:
            return
        places = self._context.session.places
        found = places.search(text, limit=_MAX_RESULTS)
        self._results = [(place.pcode, places.path_label(place.pcode, language())) for place in found]
        self._list.setStringList([self._display(pcode, label) for pcode, label in self._results])
        if self._results and self.edit.hasFocus():
            self.completer.complete()
        self._show_status()

    @staticmethod
    def _display(pcode: str, label: str) -> str:
        return f"{label}  ({pcode})"

    def _picked_text(self, text: str) -> None:
        for pcode, label in self._results:
            if self._display(pcode, label) == text:
                self._choose(pcode)
                return

    def _choose(self, pcode: str) -> None:
        changed = pcode != self._pcode
        self.set_pcode(pcode)
        self.completer.popup().hide()
        if changed:
            self.changed.emit(pcode)

    def _finish(self) -> None:
        # Leaving the field with typed text and no choice: take the best match (shallowest
        # level first), which the path then shows; a hurried user typing "Beni" means Beni.
        if self._pcode or not self.edit.text().strip():
            return
        if self._timer.isActive():
            self._timer.stop()
            self._search()
        if self._results:
            self._choose(self._results[0][0])

    def eventFilter(self, watched, event) -> bool:
        from PySide6.QtCore import QEvent

        if watched is self.edit and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            if self._results and not self.completer.popup().isVisible():
                self.completer.complete()
                return True
        return super().eventFilter(watched, event)

    def _show_status(self) -> None:
        if self._pcode:
            self.status.setText(self._pcode)
            self.status.setStyleSheet("color: #555;")
        elif self.edit.text().strip() and not self._timer.isActive() and not self._results:
            self.status.setText(_("no match"))
            self.status.setStyleSheet("color: #b00020;")
        else:
            self.status.setText("")
            self.status.setStyleSheet("")
