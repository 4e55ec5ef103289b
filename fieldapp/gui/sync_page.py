"""The Sync page: enrolled sites with their last bundles and gaps, export to a site, import of
one or several bundles (also dropped on the page) in a worker with progress and cancel, the
result summary, and the conflicts to review (keep the current version or restore the other)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFileDialog, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from fieldapp.gui.page import Page
from fieldapp.gui.workers import error_message, run_with_progress
from fieldapp.i18n import N_, _, format_datetime, format_number, ngettext
from fieldapp.store.repositories import Change
from fieldapp.sync.bundle import SUFFIX, TABLE_LABELS, export_bundle
from fieldapp.sync.importer import import_bundle
from fieldapp.sync.merge import KINDS, keep_winner, restore_other
from fieldapp.sync.review import open_conflicts, peer_statuses
from fieldapp.sync.site import ROLES, Site, SyncError, read_card

SITE_COLUMNS = (N_("Site"), N_("Role"), N_("Last bundle sent"), N_("Last bundle received"), N_("Not yet received"))
CONFLICT_COLUMNS = (N_("Record"), N_("Kept version"), N_("Other version"), N_("Fields that differ"))
ERROR_STYLE, DONE_STYLE = "color: #b00020;", "color: #1b5e20;"


def _when(text: str | None) -> str:
    from datetime import datetime

    if not text:
        return ""
    try:
        return format_datetime(datetime.fromisoformat(text), "short")
    except ValueError:
        return text


def import_work(session, paths: list[Path]):
    """Import each file in turn; a refused one does not stop the others (each is its own transaction)."""
    def work(report, is_cancelled):
        outcomes = []
        for number, path in enumerate(paths):
            if is_cancelled():
                break
            def progress(done, total, number=number):
                report(number * 1000 + (1000 * done // total if total else 0), 1000 * len(paths))
            try:
                outcomes.append((path, import_bundle(session, path, progress, is_cancelled)))
            except SyncError as error:
                if is_cancelled():
                    raise
                outcomes.append((path, error))
        return outcomes
    return work


def summary_lines(outcomes) -> tuple[list[str], bool]:
    """The result of an import as lines for the user, and whether any bundle was refused."""
    lines, refused = [], False
    for path, outcome in outcomes:
        if isinstance(outcome, BaseException):
            lines.append(error_message(outcome))
            refused = True
            continue
        if outcome.already_imported:
            lines.append(_("{file}: already imported (bundle {seq} from {site}); nothing changed.").format(
                file=path.name, seq=outcome.seq, site=outcome.sender_name))
        else:
            lines.append(_("{file}: bundle {seq} from {site} imported.").format(
                file=path.name, seq=outcome.seq, site=outcome.sender_name))
            for table, counts in outcome.counts.items():
                lines.append("    " + _("{kind}: {new} new, {updated} updated, {unchanged} unchanged, {conflicts} "
                                        "conflicts").format(kind=_(TABLE_LABELS[table]),
                                                            **{k: format_number(v) for k, v in counts.items()}))
        if outcome.missing:
            lines.append("    " + outcome.gap_message())
    return lines, refused


class SyncPage(Page):
    TITLE = N_("Sync")

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.worker = None
        self.setAcceptDrops(True)
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.site_label = QLabel()
        self.site_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sites_box = QGroupBox()
        self.sites = self._table(len(SITE_COLUMNS))
        self.sites.itemSelectionChanged.connect(self._update_buttons)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.choose_export_folder)
        self.full_box = QCheckBox()
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.choose_bundles)
        self.card_button = QPushButton()
        self.card_button.clicked.connect(self.write_card)
        self.enrol_button = QPushButton()
        self.enrol_button.clicked.connect(self.choose_card)
        buttons = QHBoxLayout()
        for widget in (self.export_button, self.full_box, self.import_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.card_button)
        buttons.addWidget(self.enrol_button)
        sites_layout = QVBoxLayout(self.sites_box)
        sites_layout.addWidget(self.sites)
        sites_layout.addLayout(buttons)
        self.drop_hint = QLabel()
        self.drop_hint.setStyleSheet("color: #555;")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.conflicts_box = QGroupBox()
        self.conflicts = self._table(len(CONFLICT_COLUMNS))
        self.conflicts.itemSelectionChanged.connect(self._update_buttons)
        self.keep_button = QPushButton()
        self.keep_button.clicked.connect(lambda: self.resolve(restore=False))
        self.restore_button = QPushButton()
        self.restore_button.clicked.connect(lambda: self.resolve(restore=True))
        conflict_buttons = QHBoxLayout()
        conflict_buttons.addStretch(1)
        conflict_buttons.addWidget(self.keep_button)
        conflict_buttons.addWidget(self.restore_button)
        conflicts_layout = QVBoxLayout(self.conflicts_box)
        conflicts_layout.addWidget(self.conflicts)
        conflicts_layout.addLayout(conflict_buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.site_label)
        layout.addWidget(self.sites_box, 2)
        layout.addWidget(self.drop_hint)
        layout.addWidget(self.result_label)
        layout.addWidget(self.conflicts_box, 3)
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
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # -- page hooks ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title_label.setText(_(self.TITLE))
        self.sites_box.setTitle(_("Enrolled sites"))
        self.conflicts_box.setTitle(_("Conflicts to review"))
        self.sites.setHorizontalHeaderLabels([_(c) for c in SITE_COLUMNS])
        self.conflicts.setHorizontalHeaderLabels([_(c) for c in CONFLICT_COLUMNS])
        self.export_button.setText(_("Export bundle for the selected site…"))
        self.full_box.setText(_("Everything, not only changes"))
        self.import_button.setText(_("Import bundles…"))
        self.card_button.setText(_("Save this site's card…"))
        self.enrol_button.setText(_("Enrol a site card…"))
        self.keep_button.setText(_("Keep the current version"))
        self.restore_button.setText(_("Restore the other version"))
        self.drop_hint.setText(_("You can also drop bundle files ({suffix}) on this page.").format(suffix=SUFFIX))
        if self.context.is_unlocked:
            self.reload()

    def clear(self) -> None:
        if self.worker is not None:
            # Locking: stop the bundle being handled; its transaction rolls back.
            self.worker.cancel()
        self._statuses, self._views = [], []
        self.sites.setRowCount(0)
        self.conflicts.setRowCount(0)
        self.site_label.clear()
        self.result_label.clear()
        self.result_label.hide()
        self._update_buttons()

    def reload(self) -> None:
        if not self.context.is_unlocked:
            return
        session = self.context.session
        site = Site(session)
        self.site_label.setText(_("This site: {name} ({role}), key fingerprint {fingerprint}").format(
            name=site.name, role=_(ROLES[site.role]), fingerprint=site.card().fingerprint))
        self._statuses = peer_statuses(session)
        self.sites.setRowCount(len(self._statuses))
        for row, status in enumerate(self._statuses):
            sent = _("no. {seq}, {date}").format(seq=status.last_sent_seq, date=_when(status.last_sent_at)) \
                if status.last_sent_seq else _("none")
            received = _("no. {seq}, {date}").format(seq=status.last_received_seq,
                                                     date=_when(status.last_received_at)) \
                if status.last_received_seq else _("none")
            missing = ", ".join(str(n) for n in status.missing)
            for column, text in enumerate((status.name, status.role_label, sent, received, missing)):
                item = QTableWidgetItem(text)
                if column == 4 and missing:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.sites.setItem(row, column, item)
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
        self._update_buttons()

    def on_records_changed(self, change) -> None:
        if self.isVisible():
            self.reload()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.reload()

    def _update_buttons(self) -> None:
        idle = self.worker is None and self.context.is_unlocked
        self.export_button.setEnabled(idle and self.selected_site() is not None)
        self.import_button.setEnabled(idle)
        self.card_button.setEnabled(idle)
        self.enrol_button.setEnabled(idle)
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

    # -- export --------------------------------------------------------------------------------
    def choose_export_folder(self) -> None:
        status = self.selected_site()
        if status is None:
            return
        folder = QFileDialog.getExistingDirectory(self, _("Folder for the bundle to {site}").format(site=status.name))
        if folder:
            self.export_to(status.site_id, Path(folder), self.full_box.isChecked())

    def export_to(self, site_id: str, folder: Path, full: bool = False) -> None:
        if not self.context.is_unlocked or self.worker is not None:
            return
        session = self.context.session
        self.result_label.hide()
        self.worker = run_with_progress(
            self, _("Exporting bundle"),
            lambda report, cancelled: export_bundle(session, site_id, folder, full, report, cancelled),
            on_done=self._exported, on_error=self._failed, on_cancelled=self._cancelled)
        self._update_buttons()

    def _exported(self, result) -> None:
        self.worker = None
        counts = ", ".join(_("{label}: {value}").format(label=_(TABLE_LABELS[t]), value=format_number(n))
                           for t, n in result.counts.items())
        self._show_result(_("Bundle {seq} for {site} written to {file} ({total} records: {counts}).").format(
            seq=result.seq, site=result.peer_name, file=result.path, total=format_number(result.total),
            counts=counts), error=False)
        self.reload()

    # -- import --------------------------------------------------------------------------------
    def choose_bundles(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, _("Import bundles"), "", _("Sync bundles (*{suffix});;All files (*)").format(suffix=SUFFIX))
        if paths:
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path]) -> None:
        if not self.context.is_unlocked or self.worker is not None or not paths:
            return
        self.result_label.hide()
        label = ngettext("Importing {count} bundle…", "Importing {count} bundles…", len(paths)).format(count=len(paths))
        self.worker = run_with_progress(self, _("Importing bundles"), import_work(self.context.session, paths),
                                        on_done=self._imported, on_error=self._failed, label=label,
                                        on_cancelled=self._cancelled)
        self._update_buttons()

    def _imported(self, outcomes) -> None:
        self.worker = None
        if not self.context.is_unlocked:
            return
        lines, refused = summary_lines(outcomes)
        self._show_result("\n".join(lines), error=refused)
        touched = {table for _path, result in outcomes if not isinstance(result, BaseException)
                   for table, counts in result.counts.items() if counts["new"] or counts["updated"]}
        for table in sorted(touched):
            self.context.records_changed.emit(Change(KINDS[table]))
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.worker = None
        self._show_result(_("Nothing was changed. {reason}").format(reason=error_message(error)), error=True)
        self._update_buttons()

    def _cancelled(self) -> None:
        self.worker = None
        self._show_result(_("Cancelled: the bundle being handled was left out entirely."), error=True)
        self.reload()

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

    # -- site cards ----------------------------------------------------------------------------
    def write_card(self) -> None:
        session = self.context.session
        path, _filter = QFileDialog.getSaveFileName(self, _("Save this site's card"),
                                                    f"{session.office_code or 'site'}-card.json",
                                                    _("Site cards (*.json)"))
        if not path:
            return
        try:
            card = Site(session).write_card(Path(path))
        except (SyncError, OSError) as error:
            self._show_result(error_message(error), error=True)
            return
        self._show_result(_("Site card written to {file}. Fingerprint: {fingerprint}").format(
            file=path, fingerprint=card.fingerprint), error=False)

    def choose_card(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Enrol a site card"), "",
                                                    _("Site cards (*.json);;All files (*)"))
        if path:
            self.enrol_card(Path(path), confirm=self._confirm_card)

    def _confirm_card(self, card) -> bool:
        text = _("Site: {name} ({code}), {role}\nSite id: {id}\nFingerprint: {fingerprint}\n\nCompare the "
                 "fingerprint with the other office (by phone or radio). Enrol this site?").format(
            name=card.name, code=card.office_code or "—", role=_(ROLES[card.role]), id=card.site_id,
            fingerprint=card.fingerprint)
        answer = QMessageBox.question(self, _("Enrol a site card"), text)
        return answer == QMessageBox.StandardButton.Yes

    def enrol_card(self, path: Path, confirm) -> None:
        try:
            card = read_card(path)
            if not confirm(card):
                return
            Site(self.context.session).enrol(card)
        except SyncError as error:
            self._show_result(error_message(error), error=True)
            return
        self._show_result(_("{name} is enrolled.").format(name=card.name), error=False)
        self.reload()

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
