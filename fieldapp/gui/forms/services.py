"""The services of one referral inside its form: a small table model, the add/edit dialog, and
status moves that offer only the allowed next statuses and enforce the consent rule.

Changes are staged in the form and saved with the referral, in one operation
(fieldapp/ops/referrals.py), which checks consent against the referral as the form shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QMenu, QPlainTextEdit, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from fieldapp.domain import services as rules
from fieldapp.domain import vocab
from fieldapp.domain.records import ReferralService
from fieldapp.gui.forms.base import text_box
from fieldapp.gui.table_models import ID_ROLE, RECORD_ROLE
from fieldapp.gui.widgets.dates import DateInput, DateTimeInput
from fieldapp.gui.widgets.fields import ERROR_STYLE, FieldGrid
from fieldapp.gui.widgets.fit import fit_to_screen
from fieldapp.gui.widgets.vocab import BelowCombo, VocabCombo
from fieldapp.i18n import N_, _, format_date
from fieldapp.core.changes import ListQuery


@dataclass
class ServiceDraft:
    """A service as the form shows it: `service.status` may be ahead of `stored_status`."""

    service: ReferralService
    stored_status: str = ""  # "" until the service exists in the vault
    edited: bool = False

    @property
    def is_new(self) -> bool:
        return not self.stored_status

    @property
    def unsaved(self) -> bool:
        return self.is_new or self.edited or self.service.status != self.stored_status


COLUMNS = (N_("Service"), N_("Provider"), N_("Status"), N_("Follow-up on"))


class ServicesModel(QAbstractTableModel):
    def __init__(self, provider_name=lambda provider_id: "", parent=None):
        super().__init__(parent)
        self._drafts: list[ServiceDraft] = []
        self._provider_name = provider_name

    def drafts(self) -> list[ServiceDraft]:
        return list(self._drafts)

    def set_drafts(self, drafts: list[ServiceDraft]) -> None:
        self.beginResetModel()
        self._drafts = list(drafts)
        self.endResetModel()

    def add(self, draft: ServiceDraft) -> int:
        row = len(self._drafts)
        self.beginInsertRows(QModelIndex(), row, row)
        self._drafts.append(draft)
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._drafts[row]
        self.endRemoveRows()

    def draft(self, row: int) -> ServiceDraft | None:
        return self._drafts[row] if 0 <= row < len(self._drafts) else None

    def changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._drafts:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._drafts) - 1, len(COLUMNS) - 1))

    def clear(self) -> None:
        self.set_drafts([])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._drafts)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._drafts):
            return None
        draft = self._drafts[index.row()]
        service = draft.service
        if role == ID_ROLE:
            return service.id
        if role == RECORD_ROLE:
            return service
        if role == Qt.ItemDataRole.FontRole and draft.unsaved:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and draft.unsaved:
            return _("Not saved yet: saved with the referral.")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return vocab.SECTOR.label(service.sector)
        if column == 1:
            return self._provider_name(service.provider_id) or service.provider_text
        if column == 2:
            return vocab.SERVICE_STATUS.label(service.status)
        return format_date(service.follow_up_on)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return _(COLUMNS[section])
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class ReasonDialog(QDialog):
    """Asks for a reason that must not be empty (consent override, provider refusal)."""

    def __init__(self, title: str, explanation: str, on_reason, parent=None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(True)
        self.setWindowTitle(title)
        self._on_reason = on_reason
        layout = QVBoxLayout(self)
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Record the reason"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        self.reason.textChanged.connect(lambda: self.ok_button.setEnabled(bool(self.reason.toPlainText().strip())))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 460, 240)

    def _accept(self) -> None:
        text = self.reason.toPlainText().strip()
        if text:
            self.accept()
            self._on_reason(text)


class ServiceDialog(QDialog):
    """Add or edit one service: sector, provider from the directory (or typed), dates, notes."""

    def __init__(self, session, service: ReferralService, on_done, parent=None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(True)
        self._service = service
        self._on_done = on_done
        self._providers = session.providers.list(ListQuery(filters={"active": True}, sort="name", descending=False))
        layout = QVBoxLayout(self)
        self.grid = FieldGrid(self)
        layout.addWidget(self.grid)
        self.sector = self.grid.add("sector", N_("Service"), VocabCombo(vocab.SECTOR, empty_label=N_("Choose…")))
        self.provider = self.grid.add("provider_id", N_("Provider"), BelowCombo())
        self.provider_text = self.grid.add("provider_text", N_("Other provider"), QLineEdit())
        self.appointment_at = self.grid.add("appointment_at", N_("Appointment"), DateTimeInput(optional=True))
        self.follow_up_on = self.grid.add("follow_up_on", N_("Follow up on"), DateInput(optional=True))
        self.outcome_notes = self.grid.add("outcome_notes", N_("Outcome notes"), text_box(3))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.sector.code_changed.connect(self._fill_providers)
        self.sector.set_code(service.sector)
        self._fill_providers()
        index = self.provider.findData(service.provider_id or "")
        self.provider.setCurrentIndex(max(0, index))
        self.provider_text.setText(service.provider_text)
        self.appointment_at.set_value(service.appointment_at)
        self.follow_up_on.set_value(service.follow_up_on)
        self.outcome_notes.setPlainText(service.outcome_notes)
        self.setWindowTitle(_("Service"))
        fit_to_screen(self, 560, 300)

    def _fill_providers(self) -> None:
        current = self.provider.currentData() or self._service.provider_id or ""
        sector = self.sector.code()
        self.provider.clear()
        self.provider.addItem(_("— not in the directory —"), "")
        for provider in self._providers:
            if not sector or sector in provider.sectors:
                self.provider.addItem(provider.name, provider.id)
        self.provider.setCurrentIndex(max(0, self.provider.findData(current)))

    def _accept(self) -> None:
        self.grid.clear_problems()
        if not self.sector.code():
            self.grid.set_error("sector", _("Choose a value."))
            self.sector.setFocus()
            return
        service = self._service
        service.sector = self.sector.code()
        service.provider_id = self.provider.currentData() or None
        service.provider_text = self.provider_text.text().strip()
        service.appointment_at = self.appointment_at.value()
        service.follow_up_on = self.follow_up_on.value()
        service.outcome_notes = self.outcome_notes.toPlainText().strip()
        self.accept()
        self._on_done(service)


class ServicesPanel(QWidget):
    """Table of a referral's services with Add / Edit / Change status / Remove."""

    changed = Signal()

    def __init__(self, context, consent_given, parent=None):
        """`consent_given()` reads the form's consent-to-referral box (the rule's input)."""
        super().__init__(parent)
        self.context = context
        self._consent_given = consent_given
        self._referral_id = ""
        self._provider_names: dict[str, str] = {}
        self.dialog: QDialog | None = None  # the open service / reason dialog, if any
        self.model = ServicesModel(self._provider_name, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.setTabKeyNavigation(False)
        self.view.setMinimumHeight(130)
        self.view.doubleClicked.connect(lambda _index: self.edit_selected())
        self.view.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add_service)
        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(self.edit_selected)
        # A push button with a menu keeps room for its arrow (a tool button drew it over the text).
        self.status_button = QPushButton()
        self.status_menu = QMenu(self.status_button)
        self.status_button.setMenu(self.status_menu)
        self.remove_button = QPushButton()
        self.remove_button.clicked.connect(self.remove_selected)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(ERROR_STYLE)
        self.notice.hide()
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.status_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        layout.addWidget(self.notice)
        self.retranslate()

    # -- loading -------------------------------------------------------------------------------
    def load(self, referral_id: str) -> None:
        self._referral_id = referral_id
        services = self.context.session.services.for_referral(referral_id) if referral_id else []
        self._remember_providers([s.provider_id for s in services if s.provider_id])
        self.model.set_drafts([ServiceDraft(replace(s), stored_status=s.status) for s in services])
        self._select(0)

    def _remember_providers(self, ids: list[str]) -> None:
        missing = [i for i in ids if i not in self._provider_names]
        if missing and self.context.is_unlocked:
            for provider_id, provider in self.context.session.providers.get_many(missing).items():
                self._provider_names[provider_id] = provider.name

    def _provider_name(self, provider_id: str | None) -> str:
        return self._provider_names.get(provider_id or "", "")

    def clear(self) -> None:
        self.model.clear()
        self._provider_names.clear()
        if self.dialog is not None:
            self.dialog.reject()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add service…"))
        self.edit_button.setText(_("Edit service…"))
        self.status_button.setText(_("Change status"))
        self.remove_button.setText(_("Remove"))
        self.model.retranslate()
        self._update_buttons()

    # -- selection and buttons -----------------------------------------------------------------
    def current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def select_row(self, row: int) -> None:
        self._select(row)

    def _select(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(row, 0))
        self._update_buttons()

    def next_statuses(self) -> list[str]:
        draft = self.model.draft(self.current_row())
        return list(rules.allowed_next(draft.service.status)) if draft else []

    def _update_buttons(self) -> None:
        draft = self.model.draft(self.current_row())
        self.edit_button.setEnabled(draft is not None)
        self.remove_button.setEnabled(draft is not None and draft.is_new)
        self.status_menu.clear()
        for status in self.next_statuses():
            action = QAction(vocab.SERVICE_STATUS.label(status), self.status_menu)
            action.setData(status)
            action.triggered.connect(lambda _checked=False, target=status: self.move_to(target))
            self.status_menu.addAction(action)
        self.status_button.setEnabled(bool(self.status_menu.actions()))
        self.status_button.setToolTip("" if draft is None or self.next_statuses() else
                                      _("“{status}” is a final status.").format(
                                          status=vocab.SERVICE_STATUS.label(draft.service.status)))

    def status_actions(self) -> list[QAction]:
        return list(self.status_menu.actions())

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    # -- editing -------------------------------------------------------------------------------
    def add_service(self) -> None:
        service = rules.new_service(self._referral_id)

        def done(edited: ReferralService) -> None:
            self._remember_providers([edited.provider_id] if edited.provider_id else [])
            self._select(self.model.add(ServiceDraft(edited)))
            self.changed.emit()

        self._open(ServiceDialog(self.context.session, service, done, self))

    def edit_selected(self) -> None:
        row = self.current_row()
        draft = self.model.draft(row)
        if draft is None:
            return

        def done(edited: ReferralService) -> None:
            draft.service = edited
            draft.edited = True
            self._remember_providers([edited.provider_id] if edited.provider_id else [])
            self.model.changed(row)
            self.changed.emit()

        self._open(ServiceDialog(self.context.session, replace(draft.service), done, self))

    def remove_selected(self) -> None:
        row = self.current_row()
        draft = self.model.draft(row)
        if draft is not None and draft.is_new:
            self.model.remove(row)
            self._select(min(row, self.model.rowCount() - 1))
            self.changed.emit()

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()

    def move_to(self, target: str) -> None:
        """Stage a status move; the rules of docs/DESIGN.md 2.2 decide what is asked first."""
        row = self.current_row()
        draft = self.model.draft(row)
        if draft is None or target not in rules.allowed_next(draft.service.status):
            return
        self.show_notice("")
        if target == "referred" and not self._consent_given():
            self.show_notice(_("Not referred: the survivor has not consented to referral."))
            self._open(ReasonDialog(
                _("Refer without consent?"),
                _("The survivor has not consented to referral. Record consent in the form, or write why the "
                  "referral must go ahead without it. The reason is kept in the audit log."),
                lambda reason: self._stage(row, target, override_reason=reason), self))
            return
        if target in rules.REASON_REQUIRED:
            self._open(ReasonDialog(
                vocab.SERVICE_STATUS.label(target),
                _("Write the reason the provider refused the referral."),
                lambda reason: self._stage(row, target, reason=reason), self))
            return
        self._stage(row, target)

    def _stage(self, row: int, target: str, reason: str = "", override_reason: str = "") -> None:
        draft = self.model.draft(row)
        if draft is None:
            return
        draft.service.status = target
        if reason:
            draft.service.reason = reason
        if override_reason:
            draft.service.consent_override_reason = override_reason
        self.show_notice("")
        self.model.changed(row)
        self._select(row)
        self.changed.emit()

    # -- saving --------------------------------------------------------------------------------
    def staged(self) -> list[ReferralService]:
        """The services to save with the referral: new ones and those changed in the form, as the
        form shows them (fieldapp/ops/referrals.py walks each to its status)."""
        return [replace(draft.service) for draft in self.model.drafts() if draft.unsaved]
