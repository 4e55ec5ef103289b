"""Parties to conflict and their commitments (docs/DESIGN.md 2.6): the parties, the commitments of the
one chosen, and the items of the commitment chosen with their status and review date; items past
their due date and not achieved are shown in red. A mission keeps a dozen parties, so the lists
are read whole."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QLabel, QMessageBox, QPushButton,
                               QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from fieldapp.domain import mara
from fieldapp.errors import FieldappError, ValidationError
from fieldapp.gui.forms.commitment_form import CommitmentForm
from fieldapp.gui.forms.party_form import PartyForm
from fieldapp.gui.page import Page
from fieldapp.gui.table_models import WARNING_COLOR
from fieldapp.gui.widgets.flow import FlowLayout
from fieldapp.gui.widgets.signals import signals_blocked
from fieldapp.gui.widgets.wrapping_tree import WrappingTree
from fieldapp.i18n import N_, _, format_date, format_number, ngettext
from fieldapp.ops.mara_origin import created_elsewhere_by, edits_stay_here_text

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _tree(columns: int) -> QTreeWidget:
    # Columns share the width and long names and promises wrap: no sideways scrolling at 1024 px.
    tree = WrappingTree()
    tree.setColumnCount(columns)
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return tree


def _current_id(tree: QTreeWidget) -> str | None:
    item = tree.currentItem()
    return item.data(0, ID_ROLE) if item is not None else None


def _select(tree: QTreeWidget, record_id: str | None) -> bool:
    for row in range(tree.topLevelItemCount()):
        if tree.topLevelItem(row).data(0, ID_ROLE) == record_id:
            tree.setCurrentItem(tree.topLevelItem(row))
            return True
    if tree.topLevelItemCount() and tree.currentItem() is None:
        tree.setCurrentItem(tree.topLevelItem(0))
    return False


class PartiesPage(Page):
    TITLE = N_("Parties & commitments")
    KIND = "party"
    OTHER_KINDS = ("commitment", "commitment_item")

    def __init__(self, context, parent=None, today=date.today):
        super().__init__(context, parent)
        self._today = today
        self.form = None
        self._dirty = True
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.new_party_button = QPushButton()
        self.edit_party_button = QPushButton()
        self.delete_party_button = QPushButton()
        self.new_commitment_button = QPushButton()
        self.edit_commitment_button = QPushButton()
        self.new_party_button.clicked.connect(self.new_party)
        self.edit_party_button.clicked.connect(self.edit_party)
        self.delete_party_button.clicked.connect(self.delete_party)
        self.new_commitment_button.clicked.connect(self.new_commitment)
        self.edit_commitment_button.clicked.connect(self.edit_commitment)
        # The title, then the five buttons on a row that wraps: in French they do not fit beside the
        # title at 1024 pixels.
        top = QVBoxLayout()
        top.addWidget(self.title)
        buttons = FlowLayout()
        for button in (self.new_party_button, self.edit_party_button, self.delete_party_button,
                       self.new_commitment_button, self.edit_commitment_button):
            buttons.add_widget(button)
        top.addLayout(buttons)

        self.parties = _tree(3)
        self.commitments = _tree(3)
        self.items = _tree(5)
        self.party_detail = QLabel()
        self.party_detail.setWordWrap(True)
        self.party_detail.setTextFormat(Qt.TextFormat.PlainText)
        self.overdue_label = QLabel()
        self.overdue_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.parties.currentItemChanged.connect(lambda *_args: self._party_chosen())
        self.commitments.currentItemChanged.connect(lambda *_args: self._commitment_chosen())
        self.parties.itemActivated.connect(lambda *_args: self.edit_party())
        self.commitments.itemActivated.connect(lambda *_args: self.edit_commitment())
        self.items.itemActivated.connect(lambda *_args: self.edit_commitment())

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.commitments_heading, self.items_heading = QLabel(), QLabel()
        for heading in (self.commitments_heading, self.items_heading):
            heading.setStyleSheet("font-weight: bold;")
        right_layout.addWidget(self.party_detail)
        right_layout.addWidget(self.commitments_heading)
        right_layout.addWidget(self.commitments, 1)
        right_layout.addWidget(self.items_heading)
        right_layout.addWidget(self.overdue_label)
        right_layout.addWidget(self.items, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.parties)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.splitterMoved.connect(lambda *_args: self._fit_party_columns())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.new_party,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.retranslate()

    # The parties' type is also on the line above their commitments: on a narrow pane (1024
    # pixels, French) its column goes, so a party's name takes one or two lines instead of four.
    TYPE_COLUMN_FROM = 560  # pixels of list

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_party_columns()

    def _fit_party_columns(self) -> None:
        narrow = self.parties.width() < self.TYPE_COLUMN_FROM
        if self.parties.isColumnHidden(2) != narrow:
            self.parties.setColumnHidden(2, narrow)
            self.parties.fit_columns()

    # -- Page hooks ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(_(self.TITLE))
        self.new_party_button.setText(_("New party…"))
        self.edit_party_button.setText(_("Edit party…"))
        self.delete_party_button.setText(_("Delete party…"))
        self.new_commitment_button.setText(_("New commitment…"))
        self.edit_commitment_button.setText(_("Edit commitment…"))
        self.parties.setHeaderLabels([_("Short name"), _("Name"), _("Type")])
        self.commitments.setHeaderLabels([_("Signed on"), _("Kind"), _("Title")])
        self.items.setHeaderLabels([_("What was promised"), _("Due on"), _("Status"), _("Last reviewed on"),
                                    _("Evidence")])
        self.commitments_heading.setText(_("Commitments"))
        self.items_heading.setText(_("Items of the commitment"))
        if self.context.is_unlocked and not self._dirty:
            self.refresh()
        self._update_buttons()

    def clear(self) -> None:
        if self.form is not None:
            self.form = None
        for tree in (self.parties, self.commitments, self.items):
            tree.clear()
        self.party_detail.clear()
        self.overdue_label.clear()
        self._dirty = True
        self._update_buttons()

    def reload(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._dirty and self.context.is_unlocked:
            self.refresh()

    def on_records_changed(self, change) -> None:
        if change.kind in ("party", "commitment", "commitment_item") and change.ids:
            if self.isVisible():
                self.refresh(select=change.created[0] if change.kind == "party" and change.created else None)
            else:
                self._dirty = True

    def open_record(self, record_id: str) -> None:
        """A party, a commitment or a commitment item: show it, its party and commitment chosen."""
        if not self.context.is_unlocked:
            return
        session = self.context.session
        self.refresh()
        item = session.commitment_items.find(record_id)
        commitment = session.commitments.find(item.commitment_id if item else record_id)
        party_id = commitment.party_id if commitment else record_id
        _select(self.parties, party_id)
        if commitment is not None:
            _select(self.commitments, commitment.id)
        if item is not None:
            _select(self.items, item.id)
            self.items.setFocus()
        else:
            (self.commitments if commitment is not None else self.parties).setFocus()

    # -- filling -------------------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        if not self.context.is_unlocked:
            return
        self._dirty = False
        keep = select or _current_id(self.parties)
        with signals_blocked(self.parties):
            self.parties.clear()
            for party in self.context.session.parties.all():
                row = QTreeWidgetItem([party.short_name, party.name, mara.PARTY_TYPE.label(party.party_type)])
                row.setData(0, ID_ROLE, party.id)
                self.parties.addTopLevelItem(row)
        _select(self.parties, keep)
        self._party_chosen()

    def _party_chosen(self) -> None:
        party_id = _current_id(self.parties)
        keep = _current_id(self.commitments)
        with signals_blocked(self.commitments):
            self.commitments.clear()
            party = self.context.session.parties.find(party_id) if party_id and self.context.is_unlocked else None
            if party is not None:
                listed = (_("Listed in the annex since {year}.").format(year=party.listed_since) if party.listed_since
                          else _("Not listed in the annex."))
                office = created_elsewhere_by(self.context.session, party)
                stays = "\n" + edits_stay_here_text("party", office) if office is not None else ""
                self.party_detail.setText(" ".join(t for t in (party.name, "·", mara.PARTY_TYPE.label(party.party_type),
                                                               "·", listed, party.notes) if t) + stays)
                for commitment in self.context.session.commitments.for_party(party.id):
                    row = QTreeWidgetItem([format_date(commitment.signed_on) if commitment.signed_on else "",
                                           mara.COMMITMENT_KIND.label(commitment.kind), commitment.title])
                    row.setData(0, ID_ROLE, commitment.id)
                    self.commitments.addTopLevelItem(row)
            else:
                self.party_detail.clear()
        _select(self.commitments, keep)
        self._commitment_chosen()

    def _commitment_chosen(self) -> None:
        commitment_id = _current_id(self.commitments)
        keep = _current_id(self.items)
        self.items.clear()
        overdue = 0
        if commitment_id and self.context.is_unlocked:
            today = self._today()
            for item in self.context.session.commitment_items.for_commitment(commitment_id):
                row = QTreeWidgetItem([item.description, format_date(item.due_on) if item.due_on else "",
                                       mara.ITEM_STATUS.label(item.status),
                                       format_date(item.reviewed_on) if item.reviewed_on else "", item.evidence])
                row.setData(0, ID_ROLE, item.id)
                if mara.item_overdue(item, today):
                    overdue += 1
                    for column in range(5):
                        row.setForeground(column, QBrush(WARNING_COLOR))
                    row.setToolTip(1, _("Past its due date and not achieved"))
                self.items.addTopLevelItem(row)
        _select(self.items, keep)
        self.overdue_label.setText(ngettext("{count} item past its due date", "{count} items past their due date",
                                            overdue).format(count=format_number(overdue)) if overdue else "")
        self.overdue_label.setVisible(bool(overdue))
        self._update_buttons()

    def overdue_rows(self) -> list[str]:
        """Descriptions of the items shown in red (what a user sees as overdue)."""
        return [self.items.topLevelItem(r).text(0) for r in range(self.items.topLevelItemCount())
                if self.items.topLevelItem(r).foreground(0).color() == WARNING_COLOR]

    def _update_buttons(self) -> None:
        unlocked = self.context.is_unlocked
        has_party = unlocked and _current_id(self.parties) is not None
        self.new_party_button.setEnabled(unlocked)
        self.edit_party_button.setEnabled(has_party)
        self.delete_party_button.setEnabled(has_party)
        self.new_commitment_button.setEnabled(has_party)
        self.edit_commitment_button.setEnabled(unlocked and _current_id(self.commitments) is not None)

    def screenshot_forms(self):
        """(file name, opener) of this page's forms, for gui/screenshots.py."""
        def party():
            self.edit_party()
            return self.form

        def commitment():
            for row in range(self.parties.topLevelItemCount()):  # the first party that signed something
                self.parties.setCurrentItem(self.parties.topLevelItem(row))
                if self.commitments.topLevelItemCount():
                    break
            self.edit_commitment()
            return self.form

        return [("party-form", party), ("commitment-form", commitment)]

    # -- actions -------------------------------------------------------------------------------
    def _open(self, form) -> None:
        self.form = form
        form.finished.connect(lambda _result: setattr(self, "form", None))
        form.open()

    def new_party(self) -> None:
        if self.context.is_unlocked and self.form is None:
            self._open(PartyForm(self.context, None, self))

    def edit_party(self) -> None:
        party_id = _current_id(self.parties)
        if party_id and self.context.is_unlocked and self.form is None:
            self._open(PartyForm(self.context, self.context.session.parties.get(party_id), self))

    def new_commitment(self) -> None:
        party_id = _current_id(self.parties)
        if party_id and self.context.is_unlocked and self.form is None:
            self._open(CommitmentForm(self.context, None, self, party_id=party_id))

    def edit_commitment(self) -> None:
        commitment_id = _current_id(self.commitments)
        if commitment_id and self.context.is_unlocked and self.form is None:
            self._open(CommitmentForm(self.context, self.context.session.commitments.get(commitment_id), self))

    def delete_party(self) -> None:
        party_id = _current_id(self.parties)
        if not party_id or not self.context.is_unlocked:
            return
        party = self.context.session.parties.get(party_id)
        answer = QMessageBox.question(self, _("Delete"), _("Delete {record}?").format(record=party.name),
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes or not self.context.is_unlocked:
            return
        try:
            change = self.context.session.parties.delete(party_id)
        except ValidationError as error:
            QMessageBox.warning(self, _("Delete"), " ".join(error.problems.values()))
            return
        except FieldappError as error:
            QMessageBox.warning(self, _("Delete"), str(error))
            return
        self.context.records_changed.emit(change)
