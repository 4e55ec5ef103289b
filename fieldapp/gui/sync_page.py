"""The Sync page: the whole exchange between field offices and headquarters without the command
line, in plain words. A short explanation on top; this office (its card, its security code, its
role); the other offices added here, with their last data files (bundles) and gaps; adding an
office from its card after reading the security code aloud; making a data file (with the reason
shown when none can be made); opening data files (also dropped on the page) in a worker with
progress and cancel; and the conflicts to review (keep the current version or restore the other).

Everything sits in a vertical scroll area so the page fits a 1024×600 screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFrame,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from fieldapp.gui.page import Page
from fieldapp.gui.widgets.signals import signals_blocked
from fieldapp.gui.widgets.scroll import vertical_scroll
from fieldapp.gui.workers import error_message
from fieldapp.i18n import N_, _, format_datetime, format_number, format_stamp, ngettext
from fieldapp.core.changes import Change
from fieldapp.ops.sync import counts_line, import_bundles
from fieldapp.sync.bundle import SUFFIX, export_bundle, file_code, same_role_message, tables_for
from fieldapp.sync.merge import KINDS, keep_winner, restore_other
from fieldapp.sync.review import open_conflicts, peer_statuses
from fieldapp.sync.site import FIELD, HEADQUARTERS, ROLES, Site, SyncError, read_card

SITE_COLUMNS = (N_("Office"), N_("Role"), N_("Last sent"), N_("Last received"), N_("Not yet received"))
CONFLICT_COLUMNS = (N_("Record"), N_("Kept version"), N_("Other version"), N_("Fields that differ"))
ERROR_STYLE, DONE_STYLE = "color: #b00020;", "color: #1b5e20;"
HINT_STYLE = "color: #555;"
CARD_FILTER = N_("Office cards (*.json *.card *.fieldcard);;All files (*)")


def office_label(name: str, code: str) -> str:
    return f"{name} ({code})" if code else name


def export_problem(own_role: str, statuses, selected) -> str:
    """Why no data file can be made now, in words a user can act on; "" when one can."""
    other = HEADQUARTERS if own_role == FIELD else FIELD
    if not statuses:
        if own_role == FIELD:
            return _("Add headquarters first: ask headquarters for its office card, then press “Add an office…”.")
        return _("Add a field office first: ask the office for its office card, then press “Add an office…”.")
    if not any(tables_for(own_role, status.role) for status in statuses):
        if other == HEADQUARTERS:
            return _("Every office added here is a field office, like this one: data files go between field "
                     "offices and headquarters. Add headquarters' card.")
        return _("Every office added here is headquarters, like this vault: data files go between field "
                 "offices and headquarters. Add a field office's card.")
    if selected is None:
        return _("Select in the list the office to send the data file to.")
    if tables_for(own_role, selected.role) is None:
        return same_role_message(selected.name, own_role)
    return ""


def import_work(session, paths: list[Path]):
    """Import each file in turn (fieldapp/ops/sync.py); a refused one does not stop the others."""
    return lambda report, is_cancelled: import_bundles(session, paths, report, is_cancelled)


def _wrapped(style: str = "") -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


def _row(*widgets, stretch: bool = True) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    if stretch:
        row.addStretch(1)
    return row


def _code_font():
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    return font


class AddOfficeDialog(QDialog):
    """What a card says, its security code large, and a box to tick once both offices have read
    the code to each other: the add button stays greyed until then."""

    def __init__(self, card, keys_changed: bool, parent=None):
        super().__init__(parent)
        self.card = card
        self.setWindowTitle(_("Add an office"))
        self.setMinimumWidth(min(520, parent.width() if parent is not None else 520))
        office = QLabel(_("Office: {name}, {role}").format(name=office_label(card.name, card.office_code),
                                                           role=_(ROLES[card.role])))
        office.setWordWrap(True)
        office.setStyleSheet("font-weight: bold;")
        code_title = QLabel(_("Security code to read aloud:"))
        self.code = QLabel(card.fingerprint)
        self.code.setFont(_code_font())
        self.code.setWordWrap(True)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        explain = QLabel(_("Call this office and read the security code to each other (it is on their Sync page). "
                           "Add the office only if both codes are exactly the same: a different code means the "
                           "card was changed on the way."))
        explain.setWordWrap(True)
        self.warning = QLabel(_("This office was added already, with other keys. Add this card only if that office "
                                "confirms that its keys changed (a new laptop, a new vault)."))
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(ERROR_STYLE)
        self.warning.setVisible(keys_changed)
        self.same = QCheckBox(_("We read the code to each other: it is the same"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText(_("Add this office"))
        self.add_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.same.toggled.connect(self.add_button.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (office, code_title, self.code, explain, self.warning, self.same):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.buttons)


class SyncPage(Page):
    TITLE = N_("Sync")

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.worker = None
        self.add_dialog: AddOfficeDialog | None = None
        self.role_box: QMessageBox | None = None
        self._role = FIELD
        self.setAcceptDrops(True)
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.intro = _wrapped()
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        self.intro.setFrameShape(QFrame.Shape.StyledPanel)
        self.intro.setMargin(6)

        # This office
        self.office_box = QGroupBox()
        self.site_label = _wrapped("font-weight: bold;")
        self.code_title = QLabel()
        self.code_label = _wrapped()
        self.code_label.setFont(_code_font())
        self.card_button = QPushButton()
        self.card_button.clicked.connect(self.write_card)
        self.role_button = QPushButton()
        self.role_button.clicked.connect(self.ask_role_change)
        office_layout = QVBoxLayout(self.office_box)
        office_layout.addWidget(self.site_label)
        office_layout.addWidget(self.code_title)
        office_layout.addWidget(self.code_label)
        office_layout.addLayout(_row(self.card_button, self.role_button))

        # Other offices
        self.sites_box = QGroupBox()
        self.sites = self._table(len(SITE_COLUMNS))
        self.sites.itemSelectionChanged.connect(self._update_buttons)
        self.empty_label = _wrapped(HINT_STYLE)
        self.enrol_button = QPushButton()
        self.enrol_button.clicked.connect(self.choose_card)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.choose_export_folder)
        self.full_box = QCheckBox()
        self.export_reason = _wrapped(HINT_STYLE)
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.choose_bundles)
        self.drop_hint = _wrapped(HINT_STYLE)
        sites_layout = QVBoxLayout(self.sites_box)
        sites_layout.addWidget(self.sites)
        sites_layout.addWidget(self.empty_label)
        sites_layout.addLayout(_row(self.enrol_button))
        sites_layout.addLayout(_row(self.export_button, self.full_box))
        sites_layout.addWidget(self.export_reason)
        sites_layout.addLayout(_row(self.import_button))
        sites_layout.addWidget(self.drop_hint)

        self.result_label = _wrapped()
        self.result_label.hide()

        # Conflicts
        self.conflicts_box = QGroupBox()
        self.no_conflicts = QLabel()
        self.no_conflicts.setStyleSheet(HINT_STYLE)
        self.conflicts = self._table(len(CONFLICT_COLUMNS))
        self.conflicts.itemSelectionChanged.connect(self._update_buttons)
        self.keep_button = QPushButton()
        self.keep_button.clicked.connect(lambda: self.resolve(restore=False))
        self.restore_button = QPushButton()
        self.restore_button.clicked.connect(lambda: self.resolve(restore=True))
        conflicts_layout = QVBoxLayout(self.conflicts_box)
        conflicts_layout.addWidget(self.no_conflicts)
        conflicts_layout.addWidget(self.conflicts)
        conflicts_layout.addLayout(_row(self.keep_button, self.restore_button))

        content = QWidget()
        inner = QVBoxLayout(content)
        for widget in (self.title_label, self.intro, self.office_box, self.sites_box, self.result_label,
                       self.conflicts_box):
            inner.addWidget(widget)
        inner.addStretch(1)
        self.scroll_area = vertical_scroll(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        self._statuses = []
        self._views = []
        self.retranslate()
        self._update_buttons()

    @staticmethod
    def _table(columns: int) -> QTableWidget:
        table = QTableWidget(0, columns)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        table.setMinimumWidth(200)
        return table

    @staticmethod
    def _fit_height(table: QTableWidget, most: int = 6) -> None:
        """As high as its rows (up to `most`, then it scrolls): the page scrolls, not an empty table."""
        rows = max(1, min(most, table.rowCount()))
        height = (table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
                  + rows * table.verticalHeader().defaultSectionSize())
        scrollbar = table.horizontalScrollBar()
        table.setFixedHeight(height + (scrollbar.sizeHint().height() if scrollbar.maximum() > 0 else 0) + 2)

    # -- page hooks ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title_label.setText(_(self.TITLE))
        self.intro.setText(
            "<p>" + _("<b>How it works.</b> Field offices and headquarters exchange <i>data files</i> "
                      "({suffix}) on a USB stick or by email. Each file is encrypted for the office it is "
                      "addressed to and signed by the office that made it: nobody else can read it, or change "
                      "it unnoticed.").format(suffix=SUFFIX) + "</p><ol><li>"
            + _("<b>Once:</b> each office saves its office card and sends it to the other; each adds the other "
                "office from its card, after reading the security code to each other by phone.") + "</li><li>"
            + _("<b>Then, whenever you can:</b> make a data file for the other office and take it there. A field "
                "office sends headquarters the referrals whose survivor agreed to reporting, the alerts and the "
                "trainings; headquarters sends the field offices the directory and the places.") + "</li><li>"
            + _("<b>Open the data files you receive.</b> Opening the same file twice changes nothing.")
            + "</li></ol>")
        self.office_box.setTitle(_("This office"))
        self.code_title.setText(_("Security code to read aloud when another office adds this one:"))
        self.card_button.setText(_("Save this office's card…"))
        self.sites_box.setTitle(_("Other offices"))
        self.conflicts_box.setTitle(_("Conflicts to review"))
        self.no_conflicts.setText(_("No conflicts to review."))
        self.sites.setHorizontalHeaderLabels([_(c) for c in SITE_COLUMNS])
        self.conflicts.setHorizontalHeaderLabels([_(c) for c in CONFLICT_COLUMNS])
        self.enrol_button.setText(_("Add an office…"))
        self.export_button.setText(_("Make a data file for the selected office…"))
        self.full_box.setText(_("Everything, not only changes"))
        self.import_button.setText(_("Open data files…"))
        self.keep_button.setText(_("Keep the current version"))
        self.restore_button.setText(_("Restore the other version"))
        self.drop_hint.setText(_("You can also drop data files ({suffix}) on this page.").format(suffix=SUFFIX))
        self._set_role_button()
        if self.context.is_unlocked:
            self.reload()
        else:
            self._update_buttons()

    def _set_role_button(self) -> None:
        self.role_button.setText(_("Make this vault headquarters…") if self._role == FIELD
                                 else _("Make this vault a field office…"))

    def clear(self) -> None:
        for window in (self.add_dialog, self.role_box):
            if window is not None:
                window.reject()
        self.add_dialog = self.role_box = None
        self._statuses, self._views = [], []
        self.sites.setRowCount(0)
        self.conflicts.setRowCount(0)
        self.site_label.clear()
        self.code_label.clear()
        self.result_label.clear()
        self.result_label.hide()
        self._update_buttons()

    def reload(self) -> None:
        if not self.context.is_unlocked:
            return
        session = self.context.session
        site = Site(session)
        self._role = site.role
        self._set_role_button()
        self.site_label.setText(_("{office}, {role}").format(office=office_label(site.name, session.office_code),
                                                             role=_(ROLES[site.role])))
        self.code_label.setText(site.card().fingerprint)
        kept = self.selected_site()
        kept_id = kept.site_id if kept else None
        self._statuses = peer_statuses(session)
        with signals_blocked(self.sites):
            self.sites.clearSelection()
            self.sites.setRowCount(len(self._statuses))
            for row, status in enumerate(self._statuses):
                sent = _("no. {seq}, {date}").format(seq=status.last_sent_seq, date=format_stamp(status.last_sent_at)) \
                    if status.last_sent_seq else _("none")
                received = _("no. {seq}, {date}").format(seq=status.last_received_seq,
                                                         date=format_stamp(status.last_received_at)) \
                    if status.last_received_seq else _("none")
                missing = ", ".join(str(n) for n in status.missing)
                cells = (office_label(status.name, status.office_code), status.role_label, sent, received, missing)
                for column, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if column == 4 and missing:
                        item.setForeground(Qt.GlobalColor.darkRed)
                    self.sites.setItem(row, column, item)
            self.sites.resizeColumnsToContents()
            self._fit_height(self.sites)
        partners = [row for row, status in enumerate(self._statuses) if tables_for(self._role, status.role)]
        chosen = next((row for row, status in enumerate(self._statuses) if status.site_id == kept_id), None)
        if chosen is None and len(partners) == 1:
            chosen = partners[0]  # the usual case: a field office and its headquarters
        if chosen is not None:
            self.sites.selectRow(chosen)
        self._views = open_conflicts(session)
        self.conflicts.setRowCount(len(self._views))
        for row, view in enumerate(self._views):
            fields = ", ".join(name for name, _current, _other in view.fields)
            cells = (f"{view.type_label} {view.label}",
                     f"{view.current_site} ({format_datetime(view.current_time, 'short') if view.current_time else ''})",
                     f"{view.other_site} ({format_datetime(view.other_time, 'short') if view.other_time else ''})",
                     fields)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setToolTip("\n".join(_("{label}: {value}").format(label=name, value=f"{current!r} ← {other!r}")
                                               for name, current, other in view.fields))
                self.conflicts.setItem(row, column, item)
        self.conflicts.resizeColumnsToContents()
        self._fit_height(self.conflicts)
        self._update_buttons()

    def on_records_changed(self, change) -> None:
        if self.isVisible():
            self.reload()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.reload()

    def _update_buttons(self) -> None:
        unlocked = self.context.is_unlocked
        idle = self.worker is None and unlocked
        problem = export_problem(self._role, self._statuses, self.selected_site()) if unlocked else ""
        self.export_button.setEnabled(idle and not problem)
        self.export_button.setToolTip(problem)
        self.export_reason.setText(problem)
        self.export_reason.setVisible(bool(problem))
        self.sites.setVisible(bool(self._statuses))
        self.empty_label.setVisible(unlocked and not self._statuses)
        self.empty_label.setText(_("No office added yet. Ask headquarters for its office card, then press "
                                   "“Add an office…”.") if self._role == FIELD else
                                 _("No office added yet. Ask each field office for its office card, then press "
                                   "“Add an office…”."))
        self.import_button.setEnabled(idle)
        self.card_button.setEnabled(idle)
        self.role_button.setEnabled(idle)
        self.enrol_button.setEnabled(idle)
        self.conflicts.setVisible(bool(self._views))
        self.keep_button.setVisible(bool(self._views))
        self.restore_button.setVisible(bool(self._views))
        self.no_conflicts.setVisible(unlocked and not self._views)
        chosen = idle and self.selected_conflict() is not None
        self.keep_button.setEnabled(chosen)
        self.restore_button.setEnabled(chosen)

    def selected_site(self):
        rows = self.sites.selectionModel().selectedRows()
        return self._statuses[rows[0].row()] if rows and rows[0].row() < len(self._statuses) else None

    def selected_conflict(self):
        rows = self.conflicts.selectionModel().selectedRows()
        return self._views[rows[0].row()] if rows and rows[0].row() < len(self._views) else None

    def _show_result(self, text: str, error: bool) -> None:
        if not self.context.is_unlocked:
            return  # the work ended after the vault was locked: show nothing of it
        self.result_label.setText(text)
        self.result_label.setStyleSheet(ERROR_STYLE if error else DONE_STYLE)
        self.result_label.show()
        self.scroll_area.ensureWidgetVisible(self.result_label)

    # -- this office ---------------------------------------------------------------------------
    def write_card(self) -> None:
        session = self.context.session
        suggested = str(Path.home() / f"{file_code(session.office_code, session.site_id)}-office-card.json")
        path, _filter = QFileDialog.getSaveFileName(self, _("Save this office's card"), suggested, _(CARD_FILTER))
        if not path:
            return
        try:
            card = Site(session).write_card(Path(path))
        except SyncError as error:
            self._show_result(error_message(error), error=True)
            return
        except OSError as error:
            self._show_result(_("Cannot write {file}: {reason}").format(file=path, reason=error.strerror or error),
                              error=True)
            return
        self._show_result(_("Office card written to {file}. Send it to the other office (USB stick or email), "
                            "then read them this security code by phone: {code}").format(
            file=path, code=card.fingerprint), error=False)

    def ask_role_change(self) -> None:
        if not self.context.is_unlocked:
            return
        to = HEADQUARTERS if self._role == FIELD else FIELD
        if to == HEADQUARTERS:
            text = _("Make this vault headquarters?\n\nHeadquarters receives the field offices' referrals, alerts "
                     "and trainings, and sends them the directory and the places. Do this only on headquarters' "
                     "own computer. Offices that have this office's card need the new one: save it again and send "
                     "it to them.")
        else:
            text = _("Make this vault a field office?\n\nA field office sends headquarters its referrals, alerts "
                     "and trainings. Offices that have this office's card need the new one: save it again and send "
                     "it to them.")
        box = QMessageBox(QMessageBox.Icon.Question, _("Role of this office"), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(_("Make it headquarters") if to == HEADQUARTERS
                                                           else _("Make it a field office"))
        box.button(QMessageBox.StandardButton.No).setText(_("Cancel"))

        def answered(button) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:
                self._set_role(to)

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _result: setattr(self, "role_box", None))
        box.finished.connect(box.deleteLater)
        self.role_box = box
        box.open()

    def _set_role(self, role: str) -> None:
        if not self.context.is_unlocked:
            return
        try:
            Site(self.context.session).set_role(role)
        except SyncError as error:
            self._show_result(error_message(error), error=True)
            return
        self.reload()
        self._show_result(_("This vault is now {role}. Save this office's card again and send it to the other "
                            "offices.").format(role=_(ROLES[role])), error=False)

    # -- adding an office ----------------------------------------------------------------------
    def choose_card(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Add an office from its card"), str(Path.home()),
                                                    _(CARD_FILTER))
        if path:
            self.show_card(Path(path))

    def show_card(self, path: Path) -> None:
        """Read a card and ask, showing its security code, whether to add its office."""
        if not self.context.is_unlocked:
            return
        site = Site(self.context.session)
        try:
            card = read_card(path)
            if card.site_id == site.site_id:
                raise SyncError(_("This is this office's own card; add the card of the other office."))
        except SyncError as error:
            self._show_result(error_message(error), error=True)
            return
        dialog = AddOfficeDialog(card, site.keys_changed(card), self)
        dialog.accepted.connect(lambda: self.enrol_card(card))
        dialog.finished.connect(lambda _result: setattr(self, "add_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.add_dialog = dialog
        dialog.open()

    def enrol_card(self, card) -> None:
        if not self.context.is_unlocked:
            return
        try:
            Site(self.context.session).enrol(card)
        except SyncError as error:
            self._show_result(error_message(error), error=True)
            return
        self.reload()
        self._show_result(_("{name} is added.").format(name=card.name), error=False)

    # -- export --------------------------------------------------------------------------------
    def choose_export_folder(self) -> None:
        status = self.selected_site()
        if status is None or export_problem(self._role, self._statuses, status):
            return
        folder = QFileDialog.getExistingDirectory(
            self, _("Folder for the data file to {office} (a USB stick, or a folder to attach to an email)").format(
                office=status.name), str(Path.home()))
        if folder:
            self.export_to(status.site_id, Path(folder), self.full_box.isChecked())

    def export_to(self, site_id: str, folder: Path, full: bool = False) -> None:
        if not self.context.is_unlocked or self.worker is not None:
            return
        session = self.context.session
        self.result_label.hide()
        self.worker = self.context.jobs.run_with_progress(
            self, _("Making the data file"),
            lambda report, cancelled: export_bundle(session, site_id, folder, full, report, cancelled),
            on_done=self._exported, on_error=self._failed, on_cancelled=self._cancelled)
        self._update_buttons()

    def _exported(self, result) -> None:
        self.worker = None
        if result.total:
            counts = counts_line(result.counts)
            text = _("Data file {seq} for {site} written to {file} ({total} records: {counts}). Take it to "
                     "{site}: they open it on their Sync page.").format(
                seq=result.seq, site=result.peer_name, file=result.path, total=format_number(result.total),
                counts=counts)
        else:
            text = _("Data file {seq} for {site} written to {file}. Nothing changed since the last one: it only "
                     "tells {site} that they are up to date.").format(seq=result.seq, site=result.peer_name,
                                                                      file=result.path)
        self.reload()
        self._show_result(text, error=False)

    # -- import --------------------------------------------------------------------------------
    def choose_bundles(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, _("Open data files"), str(Path.home()),
            _("Data files (*{suffix});;All files (*)").format(suffix=SUFFIX))
        if paths:
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path]) -> None:
        if not self.context.is_unlocked or self.worker is not None or not paths:
            return
        self.result_label.hide()
        label = ngettext("Opening {count} data file…", "Opening {count} data files…", len(paths)).format(
            count=len(paths))
        self.worker = self.context.jobs.run_with_progress(
            self, _("Opening data files"), import_work(self.context.session, paths),
            on_done=self._imported, on_error=self._failed, label=label, on_cancelled=self._cancelled)
        self._update_buttons()

    def _imported(self, summary) -> None:
        self.worker = None
        if not self.context.is_unlocked:
            return
        for table in sorted(summary.changed_tables):
            self.context.records_changed.emit(Change(KINDS[table]))
        self.reload()
        self._show_result("\n".join(summary.lines()), error=summary.refused)

    def _failed(self, error: BaseException) -> None:
        self.worker = None
        self._update_buttons()
        self._show_result(_("Nothing was changed. {reason}").format(reason=error_message(error)), error=True)

    def _cancelled(self) -> None:
        self.worker = None
        self.reload()
        self._show_result(_("Cancelled: the data file being handled was left out entirely."), error=True)

    def dragEnterEvent(self, event) -> None:
        if self._dropped_bundles(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = self._dropped_bundles(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)

    @staticmethod
    def _dropped_bundles(mime) -> list[Path]:
        if not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls()
                if url.isLocalFile() and url.toLocalFile().endswith(SUFFIX)]

    # -- conflicts -----------------------------------------------------------------------------
    def resolve(self, restore: bool) -> None:
        view = self.selected_conflict()
        if view is None:
            return
        try:
            change = (restore_other if restore else keep_winner)(self.context.session, view.seq)
        except SyncError as error:
            self._show_result(error_message(error), error=True)
            return
        if change.ids:
            self.context.records_changed.emit(change)
        self.reload()
