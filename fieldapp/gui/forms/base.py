"""What every record form shares: Save / Cancel, inline validation, language switch, and
forgetting its values when the vault locks."""

from __future__ import annotations

from dataclasses import asdict, replace

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
                               QScrollArea, QVBoxLayout, QWidget)

from fieldapp.errors import FieldappError, ValidationError
from fieldapp.gui.widgets.dates import TypedDateInput
from fieldapp.gui.widgets.fields import ERROR_STYLE, FieldGrid
from fieldapp.gui.widgets.flow import Columns
from fieldapp.i18n import _
from fieldapp.ops.changes import one_change


class RecordForm(QDialog):
    """A non-blocking dialog (open()/show(), never exec) for one record.

    Subclasses set NEW_TITLE / EDIT_TITLE (N_) and RECORD (the record's class), build their fields
    in `build(body)` (rows marked bound=True in `self.grids`: load and collect copy those) and
    implement `new_record()` and `repository()`; `load_more` / `collect_more` add what no grid
    holds. A record with children overrides `write(record)` to save them with it in one operation
    (fieldapp/ops/). One save emits one Change: `saved(change)` and the context's records_changed.
    """

    NEW_TITLE = ""
    EDIT_TITLE = ""
    RECORD: type | None = None
    saved = Signal(object)

    def __init__(self, context, record=None, parent=None):
        super().__init__(parent)
        self.context = context
        self.record = record
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(True)
        self.grids = []
        self.columns: Columns | None = None
        self.loading = False
        outer = QVBoxLayout(self)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.viewport().installEventFilter(self)  # its width decides one column or two
        self.body = QWidget()
        self.scroll.setWidget(self.body)
        outer.addWidget(self.scroll, 1)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        outer.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.save)
        self.build(self.body)
        self.load(record if record is not None else self.new_record())
        context.locked.connect(self.discard)
        context.language_changed.connect(self.retranslate)
        self.retranslate()
        self._closing = False
        self.discard_box: QMessageBox | None = None
        self._snapshot = self._values()

    @property
    def is_new(self) -> bool:
        return self.record is None

    # -- for subclasses ------------------------------------------------------------------------
    def build(self, body: QWidget) -> None:
        raise NotImplementedError

    def load(self, record) -> None:
        """Show `record` in the inputs. While it runs `self.loading` is true: live help that fills
        one field in from another as the user types (a response time turning an open alert into
        "responded", a child's age setting "consent given by") must leave the stored values alone,
        whatever order the fields are loaded in."""
        self.loading = True
        try:
            for grid in self.grids:
                grid.load(record)
            self.load_more(record)
        finally:
            self.loading = False

    def load_more(self, record) -> None:
        """What a form shows beyond its grids' bound fields (children, derived state)."""

    def new_record(self):
        """The values a new record starts with (the dataclass defaults, or better ones)."""
        raise NotImplementedError

    def blank_record(self):
        """What collect() fills in: a copy of the record edited (its id and the fields no input
        shows), or an empty one."""
        return replace(self.record) if self.record is not None else self.RECORD()

    def collect(self):
        record = self.blank_record()
        for grid in self.grids:
            grid.collect_into(record)
        return self.collect_more(record)

    def collect_more(self, record):
        """Fields no grid holds, or rules between fields; returns `record`."""
        return record

    def repository(self):
        raise NotImplementedError

    def retranslate_fields(self) -> None:
        """Labels beyond the FieldGrids (banners, buttons, vocab inputs)."""

    def check_inputs(self) -> dict[str, str]:
        """Problems the widgets know before the record exists: typed text that names no place or
        is not a date."""
        problems = {}
        for grid in self.grids:
            for name in grid.names():
                widget = grid.widget(name)
                for field in [widget] if isinstance(widget, TypedDateInput) else widget.findChildren(TypedDateInput):
                    field.commit()  # Ctrl+S inside the field: read "3/1/26" as it would be on leaving
                    if field.problem():
                        problems[name] = field.problem()
        place = getattr(self, "place", None)
        problem = place.problem() if place is not None else ""
        if problem:
            problems["location_pcode"] = problem
        return problems

    def write(self, record) -> list:
        """Save `record` (and its children) in one operation; returns its Changes, the parent's first."""
        repository = self.repository()
        return [repository.create(record) if self.is_new else repository.update(record)]

    def two_grids(self, layout) -> tuple[FieldGrid, FieldGrid]:
        """Two field grids, side by side when the form is wide enough, else one under the other."""
        left, right = FieldGrid(self.body), FieldGrid(self.body)
        self.columns = Columns([left, right], self.body)
        layout.addWidget(self.columns)
        self.grids = [left, right]
        return left, right

    def eventFilter(self, watched, event) -> bool:
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize and self.columns is not None:
            margins = self.body.layout().contentsMargins() if self.body.layout() else None
            spare = margins.left() + margins.right() if margins else 0
            self.columns.fit_width(event.size().width() - spare)
        return super().eventFilter(watched, event)

    # -- shared behaviour ----------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(_(self.NEW_TITLE if self.is_new else self.EDIT_TITLE))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        for grid in self.grids:
            grid.retranslate()
        self.retranslate_fields()

    def show_problems(self, problems: dict[str, str]) -> None:
        first = None
        rest: dict[str, str] = {}
        for grid in self.grids:
            grid.clear_problems()
        remaining = dict(problems)
        for grid in self.grids:
            widget, remaining = grid.show_problems(remaining)
            first = first or widget
        rest = remaining
        if rest:
            self.show_message(" ".join(rest.values()))
        else:
            self.show_message(_("Please correct the fields marked in red.") if problems else "")
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll.ensureWidgetVisible(first)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def save(self) -> bool:
        """Validate and write; on a problem keep the dialog open with the messages shown."""
        if not self.context.is_unlocked:
            return False
        problems = self.check_inputs()
        if problems:
            self.show_problems(problems)
            return False
        try:
            record = self.collect()
            changes = self.write(record)
        except ValidationError as error:
            self.show_problems(error.problems)
            return False
        except FieldappError as error:
            self.show_message(str(error))
            return False
        self.record = record
        change = one_change(changes, record.id)
        self.context.records_changed.emit(change)
        self.saved.emit(change)
        self._closing = True
        self.accept()
        return True

    # -- leaving without saving ----------------------------------------------------------------
    def _values(self) -> dict:
        values = asdict(self.collect())
        values.pop("id", None)
        return values

    def is_dirty(self) -> bool:
        return self._values() != self._snapshot

    def reject(self) -> None:
        """Esc or Cancel: a half-typed record is not thrown away without asking."""
        if self._closing or not self.context.is_unlocked or not self.is_dirty():
            self._closing = True
            super().reject()
            return
        if self.discard_box is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, _("Discard changes?"),
                          _("This record has changes that are not saved. Close it and lose them?"),
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        # Qt's own French says « Ne pas enregistrer », which reads as "keep working without saving".
        box.button(QMessageBox.StandardButton.Discard).setText(_("Close without saving"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Discard:
                self._closing = True
                QDialog.reject(self)

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _result: setattr(self, "discard_box", None))
        self.discard_box = box
        box.open()

    def discard(self) -> None:
        """The vault locked: forget every value, then close without saving or asking."""
        self._closing = True
        if self.discard_box is not None:
            self.discard_box.reject()
        self.record = None
        for widget in self.findChildren(QPlainTextEdit) + self.findChildren(QLineEdit):
            widget.clear()
        self.clear_values()
        self.reject()

    def clear_values(self) -> None:
        """Subclasses drop models and inputs holding record data."""


def chain_tab_order(widgets: list[QWidget]) -> None:
    """Tab moves through `widgets` in this order (the order a person fills the paper form)."""
    for first, second in zip(widgets, widgets[1:]):
        QWidget.setTabOrder(first, second)


def text_box(lines: int = 3) -> QPlainTextEdit:
    """A multi-line text input where Tab moves on instead of typing a tab."""
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 12)
    return box
