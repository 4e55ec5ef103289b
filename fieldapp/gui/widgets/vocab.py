"""Controlled-vocabulary inputs: they show translated labels, store stable codes, and re-label
themselves when the language changes (docs/DESIGN.md 7)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QListWidget, QListWidgetItem

from fieldapp.domain.vocab import Vocabulary
from fieldapp.gui.widgets.signals import signals_blocked
from fieldapp.i18n import _

CODE_ROLE = Qt.ItemDataRole.UserRole


class BelowCombo(QComboBox):
    """A drop-down whose list opens below the field (above when the screen ends), never laid
    over it centred on the current choice, where the pointer then rests on another choice."""

    def showPopup(self) -> None:  # noqa: N802 - Qt override
        super().showPopup()
        popup = self.view().window()
        below = self.mapToGlobal(QPoint(0, self.height()))
        screen = self.screen().availableGeometry()
        y = below.y()
        if y + popup.height() > screen.bottom():
            y = max(screen.top(), self.mapToGlobal(QPoint(0, 0)).y() - popup.height())
        x = max(screen.left(), min(below.x(), screen.right() - popup.width()))
        popup.move(x, y)


class VocabCombo(BelowCombo):
    """One code of a vocabulary. With `empty_label` (N_-marked, e.g. "All"), a first item stands for
    no value (code "")."""

    code_changed = Signal(str)

    def __init__(self, vocabulary: Vocabulary, empty_label: str | None = None, parent=None):
        super().__init__(parent)
        self.vocabulary = vocabulary
        self._empty_label = empty_label
        if empty_label is not None:
            self.addItem(_(empty_label), "")
        for code in vocabulary.codes:
            self.addItem(vocabulary.label(code), code)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.currentIndexChanged.connect(lambda _index: self.code_changed.emit(self.code()))

    def code(self) -> str:
        return self.currentData(CODE_ROLE) or ""

    def set_code(self, code: str | None) -> None:
        index = self.findData(code or "", CODE_ROLE)
        if index < 0:
            index = 0 if self._empty_label is not None else -1
        self.setCurrentIndex(index)

    def retranslate(self) -> None:
        with signals_blocked(self):
            for index in range(self.count()):
                code = self.itemData(index, CODE_ROLE)
                if code:
                    self.setItemText(index, self.vocabulary.label(code))
                elif self._empty_label:
                    self.setItemText(index, _(self._empty_label))


class VocabCheckList(QListWidget):
    """Several codes of a vocabulary as a list of check boxes (Space toggles the current one)."""

    changed = Signal()

    def __init__(self, vocabulary: Vocabulary, parent=None):
        super().__init__(parent)
        self.vocabulary = vocabulary
        for code in vocabulary.codes:
            item = QListWidgetItem(vocabulary.label(code))
            item.setData(CODE_ROLE, code)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)
        # No selection highlight: a blue row reads as "chosen"; only the tick means chosen.
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.itemChanged.connect(lambda _item: self.changed.emit())
        self.setCurrentRow(0)
        self._fit_height()

    def _fit_height(self) -> None:
        # Every choice visible at once: no scrolling inside a form that already scrolls.
        rows = max(1, self.count())
        self.setFixedHeight(self.sizeHintForRow(0) * rows + 2 * self.frameWidth() + 4)

    def codes(self) -> list[str]:
        return [self.item(i).data(CODE_ROLE) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_codes(self, codes) -> None:
        wanted = set(codes or ())
        with signals_blocked(self):
            for i in range(self.count()):
                item = self.item(i)
                item.setCheckState(Qt.CheckState.Checked if item.data(CODE_ROLE) in wanted else Qt.CheckState.Unchecked)
        self.changed.emit()

    def set_checked(self, code: str, checked: bool = True) -> None:
        for i in range(self.count()):
            if self.item(i).data(CODE_ROLE) == code:
                self.item(i).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def retranslate(self) -> None:
        with signals_blocked(self):
            for i in range(self.count()):
                self.item(i).setText(self.vocabulary.label(self.item(i).data(CODE_ROLE)))
        self._fit_height()
