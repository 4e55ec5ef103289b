"""A party's commitment (docs/DESIGN.md 2.6) with its items: what was promised, by when, how far it
has come, the evidence and when it was last reviewed. The commitment and its items are saved or
refused together (ops.mara.save_commitment, one transaction)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date

from PySide6.QtCore import QEvent
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from fieldapp.domain import mara
from fieldapp.domain.mara import Commitment, CommitmentItem
from fieldapp.gui.forms.base import RecordForm, chain_tab_order, text_box
from fieldapp.gui.forms.party_form import EditsStayHereNote
from fieldapp.gui.table_models import WARNING_COLOR
from fieldapp.gui.widgets.dates import DateInput
from fieldapp.gui.widgets.fields import FieldGrid
from fieldapp.gui.widgets.fit import fit_to_screen
from fieldapp.gui.widgets.flow import Columns
from fieldapp.gui.widgets.signals import signals_blocked
from fieldapp.gui.widgets.vocab import VocabCombo
from fieldapp.gui.widgets.wrapping_tree import WrappingTree
from fieldapp.i18n import N_, _, format_date
from fieldapp.ops import mara as mara_ops


class CommitmentForm(RecordForm):
    NEW_TITLE = N_("New commitment")
    EDIT_TITLE = N_("Edit commitment")

    def __init__(self, context, record=None, parent=None, party_id: str = ""):
        self._party_id = party_id  # the party a new commitment starts with
        self.drafts: list[CommitmentItem] = []
        self.removed: list[str] = []
        super().__init__(context, record, parent)

    def build(self, body: QWidget) -> None:
        # Two columns of fields above and below the list of items when the form is wide enough
        # (1024 pixels in French), one under the other when not; the list's columns share its
        # width and long promises wrap, so nothing scrolls sideways (issue 12).
        layout = QVBoxLayout(body)
        layout.addWidget(EditsStayHereNote(self.context, self.record, "commitment", body))
        heading = FieldGrid(body)  # the title, long, on the whole width
        layout.addWidget(heading)
        top, notes = self.two_grids(layout)
        self.party = QComboBox()
        self.party.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.party.setMinimumContentsLength(12)  # a long party name does not widen the form
        if self.context.is_unlocked:
            for party in self.context.session.parties.all():
                self.party.addItem(party.display_name(), party.id)
        self.top_grids = [heading, top, notes]
        top.add("party_id", N_("Party"), self.party, bound=True, read=lambda box: box.currentData() or "",
                write=lambda box, party_id: box.setCurrentIndex(max(0, box.findData(party_id))))
        self.kind = top.add("kind", N_("Kind"), VocabCombo(mara.COMMITMENT_KIND), bound=True)
        self.title = heading.add("title", N_("Title"), QLineEdit(), bound=True)
        self.signed_on = notes.add("signed_on", N_("Signed on"), DateInput(optional=True), bound=True)
        self.notes = notes.add("notes", N_("Notes"), text_box(2), bound=True)

        self.items_heading = QLabel()
        self.items_heading.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.items_heading)
        self.table = WrappingTree()
        self.table.setColumnCount(4)
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMinimumHeight(self.table.fontMetrics().height() * 5 + 30)
        self.table.currentItemChanged.connect(lambda *_args: self._show_item())
        layout.addWidget(self.table, 1)  # the list takes the height to spare
        buttons = QHBoxLayout()
        self.add_button = QPushButton()
        self.remove_button = QPushButton()
        self.add_button.clicked.connect(self.add_item)
        self.remove_button.clicked.connect(self.remove_item)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        promise, review = FieldGrid(body), FieldGrid(body)
        self.item_grids = [promise, review]
        self.item_columns = Columns(self.item_grids, body)
        self.description = promise.add("description", N_("What was promised"), text_box(4), bound=True)
        self.due_on = promise.add("due_on", N_("Due on"), DateInput(optional=True), bound=True)
        self.status = promise.add("status", N_("Status"), VocabCombo(mara.ITEM_STATUS), bound=True)
        self.evidence = review.add("evidence", N_("Evidence"), text_box(2), bound=True)
        self.reviewed_on = review.add("reviewed_on", N_("Last reviewed on"), DateInput(optional=True), bound=True)
        layout.addWidget(self.item_columns)
        self.grids = self.top_grids + self.item_grids  # labels translated, dates checked, problems shown
        for signal in (self.description.textChanged, self.evidence.textChanged, self.due_on.changed,
                       self.reviewed_on.changed, self.status.code_changed):
            signal.connect(lambda *_args: self._store_item())
        chain_tab_order([self.title, self.party, self.kind, self.signed_on, self.notes, self.table, self.add_button,
                         self.remove_button, self.description, self.due_on, self.status, self.evidence,
                         self.reviewed_on])
        fit_to_screen(self, 980, 640)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            margins = self.body.layout().contentsMargins()
            self.item_columns.fit_width(event.size().width() - margins.left() - margins.right())
        return super().eventFilter(watched, event)

    def retranslate_fields(self) -> None:
        self.table.setHeaderLabels([_("What was promised"), _("Due on"), _("Status"), _("Last reviewed on")])
        self.items_heading.setText(_("Items of the commitment"))
        self.add_button.setText(_("Add item"))
        self.remove_button.setText(_("Remove item"))
        for widget in (self.kind, self.signed_on, self.due_on, self.status, self.reviewed_on):
            widget.retranslate()
        self._fill_table()

    # -- items ---------------------------------------------------------------------------------
    def _fill_table(self) -> None:
        current = self.table.indexOfTopLevelItem(self.table.currentItem()) if self.table.currentItem() else -1
        with signals_blocked(self.table):
            self.table.clear()
            for draft in self.drafts:
                self.table.addTopLevelItem(QTreeWidgetItem(self._row_texts(draft)))
                self._tone(self.table.topLevelItem(self.table.topLevelItemCount() - 1), draft)
            if self.drafts:
                self.table.setCurrentItem(self.table.topLevelItem(max(0, min(current, len(self.drafts) - 1))))
        self._show_item()

    @staticmethod
    def _row_texts(draft: CommitmentItem) -> list[str]:
        return [draft.description, format_date(draft.due_on) if draft.due_on else "",
                mara.ITEM_STATUS.label(draft.status), format_date(draft.reviewed_on) if draft.reviewed_on else ""]

    @staticmethod
    def _tone(row: QTreeWidgetItem, draft: CommitmentItem) -> None:
        if mara.item_overdue(draft, date.today()):
            for column in range(4):
                row.setForeground(column, QBrush(WARNING_COLOR))

    def current_index(self) -> int:
        item = self.table.currentItem()
        return self.table.indexOfTopLevelItem(item) if item is not None else -1

    def _show_item(self) -> None:
        index = self.current_index()
        has = 0 <= index < len(self.drafts)
        for widget in (self.description, self.due_on, self.status, self.evidence, self.reviewed_on,
                       self.remove_button):
            widget.setEnabled(has)
        for grid in self.item_grids:
            grid.load(self.drafts[index] if has else CommitmentItem(), quiet=True)

    def _store_item(self) -> None:
        index = self.current_index()
        if not 0 <= index < len(self.drafts):
            return
        draft = self.drafts[index]
        for grid in self.item_grids:
            grid.collect_into(draft)
        row = self.table.topLevelItem(index)
        for column, text in enumerate(self._row_texts(draft)):
            row.setText(column, text)
            row.setForeground(column, QBrush())
        self._tone(row, draft)

    def add_item(self) -> None:
        self.drafts.append(CommitmentItem(commitment_id=self.record.id if self.record else ""))
        self.table.addTopLevelItem(QTreeWidgetItem(self._row_texts(self.drafts[-1])))
        self.table.setCurrentItem(self.table.topLevelItem(len(self.drafts) - 1))
        self.description.setFocus()

    def remove_item(self) -> None:
        index = self.current_index()
        if not 0 <= index < len(self.drafts):
            return
        draft = self.drafts.pop(index)
        if draft.created_at is not None:  # stored before: tombstoned on save
            self.removed.append(draft.id)
        self._fill_table()
        self.table.setFocus()

    # -- record <-> fields ---------------------------------------------------------------------
    def repository(self):
        return self.context.session.commitments

    def new_record(self) -> Commitment:
        return Commitment(party_id=self._party_id)

    def load(self, commitment: Commitment) -> None:
        for grid in self.top_grids:
            grid.load(commitment)
        stored = (self.context.session.commitment_items.for_commitment(commitment.id)
                  if self.record is not None and self.context.is_unlocked else [])
        self.drafts = [replace(item) for item in stored]
        self.removed = []
        self._fill_table()

    def collect(self) -> Commitment:
        commitment = replace(self.record) if self.record is not None else Commitment()
        for grid in self.top_grids:
            grid.collect_into(commitment)
        return commitment

    def _values(self) -> dict:
        values = super()._values()
        values["items"] = [{k: v for k, v in asdict(d).items() if k != "id"} for d in self.drafts]
        values["removed"] = list(self.removed)
        return values

    def show_problems(self, problems: dict[str, str]) -> None:
        # "items[2].description": select that item, then show the message under its field.
        shown = {}
        for name, message in problems.items():
            if name.startswith("items["):
                index = int(name[len("items["):name.index("]")])
                if 0 <= index < len(self.drafts):
                    self.table.setCurrentItem(self.table.topLevelItem(index))
                shown.setdefault(name.split(".", 1)[1], message)
            else:
                shown[name] = message
        super().show_problems(shown)

    def write(self, commitment: Commitment) -> list:
        return mara_ops.save_commitment(self.context.session, commitment, self.drafts, self.removed)

    def clear_values(self) -> None:
        self.drafts = []
        self.removed = []
        self.table.clear()
        self.party.clear()
