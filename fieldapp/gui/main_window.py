"""The main window: first-run wizard or unlock screen while locked, otherwise the navigation
list and its pages. It owns locking: whatever locks (Ctrl+L, inactivity, quick exit), the
window first stops showing data, then every page drops its records and the key is dropped.

The window shows the unlock screen before any page exists: the backup menu entries and the
pages (with the document, sync and database code behind them) are imported and built one per
turn of the event loop once the window is on screen, or all at once when something needs them
first (unlocking).
"""

from __future__ import annotations

import gc
import importlib

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QApplication, QDialog, QGridLayout, QLabel, QListWidgetItem, QMainWindow,
                               QMenu, QMessageBox, QProgressDialog, QSplitter, QStackedWidget, QWidget)

from fieldapp import i18n
from fieldapp.gui.context import AppContext
from fieldapp.gui.page import Page
from fieldapp.gui.protection import (QUICK_EXIT_KEYS, SETTING_LOCK_MINUTES, LockSettingsDialog, Protection,
                                     clamp_minutes, clear_sensitive_clipboard, DEFAULT_LOCK_MINUTES,
                                     save_protection_settings)
from fieldapp.gui.qt_i18n import apply_language, language_names
from fieldapp.gui.unlock import UnlockScreen
from fieldapp.gui.widgets.fit import fit_to_screen
from fieldapp.gui.widgets.nav_list import NavList
from fieldapp.errors import FieldappError
from fieldapp.i18n import _
from fieldapp.store.vault import Vault
from fieldapp.core.hlc import clock_warnings

# The navigation, in order, as "module:Class" so that no page is imported before the window
# is on screen. Later issues append their page here (one line each).
PAGES: list[str] = [
    "fieldapp.gui.home:HomePage",
    "fieldapp.gui.referrals_page:ReferralsPage",
    "fieldapp.gui.alerts_page:AlertsPage",
    "fieldapp.gui.trainings_page:TrainingsPage",
    "fieldapp.gui.incidents_page:IncidentsPage",
    "fieldapp.gui.parties_page:PartiesPage",
    "fieldapp.gui.directory_page:DirectoryPage",
    "fieldapp.gui.places_page:PlacesPage",
    "fieldapp.gui.sync_page:SyncPage",
    "fieldapp.gui.documents_page:DocumentsPage",
]

SETTING_LANGUAGE = "language"


def page_class(reference: str) -> type[Page]:
    """The class behind a PAGES entry, importing its module now."""
    module, name = reference.split(":")
    return getattr(importlib.import_module(module), name)


class PageStack(QStackedWidget):
    """Pages one above the other, sized by the page on screen: a wide page elsewhere in the
    navigation does not make the window too wide for a small laptop (QStackedWidget takes the
    largest minimum of all its pages)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        page = self.currentWidget()
        return page.minimumSizeHint().expandedTo(page.minimumSize()) if page is not None else QSize(0, 0)


def _centred(widget: QWidget, width: int, height: int) -> QWidget:
    """`widget` at most width × height, in the middle of a larger window."""
    widget.setMaximumSize(width, height)
    frame = QWidget()
    layout = QGridLayout(frame)
    layout.addWidget(widget, 1, 1)
    layout.setRowStretch(0, 1)
    layout.setRowStretch(2, 1)
    layout.setColumnStretch(0, 1)
    layout.setColumnStretch(2, 1)
    return frame


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, vault: Vault, protection: Protection | None = None):
        super().__init__()
        self.context = context
        self.vault = vault
        self.protection = protection or Protection(QApplication.instance(), self)
        self.protection.lock_requested.connect(self.lock)
        self.protection.lock_keys_pressed.connect(self.lock)
        self.protection.quick_exit_requested.connect(self.quick_exit)
        fit_to_screen(self, 1280, 800)

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.unlock_screen = UnlockScreen(vault, context=context)
        self.unlock_screen.unlocked.connect(self.on_unlocked)
        self.stack.addWidget(self.unlock_screen)

        self.nav = NavList()
        self.nav.setAccessibleName("navigation")
        font = self.nav.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.nav.setFont(font)
        self.page_stack = PageStack()
        self._built_pages: list[Page] = []
        self._building_started = False
        self.nav.currentRowChanged.connect(self.page_stack.setCurrentIndex)
        self.workspace = QSplitter()
        self.workspace.addWidget(self.nav)
        self.workspace.addWidget(self.page_stack)
        self.workspace.setStretchFactor(1, 1)
        self.workspace.setChildrenCollapsible(False)
        self.workspace.setSizes([180, 1020])
        self.stack.addWidget(self.workspace)

        self.wizard = None
        if not vault.exists():
            from fieldapp.gui.wizard import FirstRunWizard

            self.wizard = FirstRunWizard(vault.path, context)
            self.wizard.setWindowFlags(Qt.WindowType.Widget)  # a page of this window, not a dialog
            self.wizard.created.connect(self._vault_created)
            self.wizard.quit_requested.connect(self.close)
            self.wizard_frame = _centred(self.wizard, 760, 620)
            self.stack.addWidget(self.wizard_frame)
            self.stack.setCurrentWidget(self.wizard_frame)
        else:
            self.stack.setCurrentWidget(self.unlock_screen)

        self.status = QLabel()
        self.statusBar().addPermanentWidget(self.status)
        self._build_menus()
        self.backup_actions = None  # File-menu entries, added with the pages
        context.open_record_requested.connect(self.open_record)
        context.language_changed.connect(self.retranslate)
        self.retranslate()
        self._update_actions()

    # -- pages -------------------------------------------------------------------------------
    @property
    def pages(self) -> list[Page]:
        """Every page of the navigation, built now if they are not yet."""
        self.finish_building()
        return self._built_pages

    def finish_building(self) -> None:
        while self._build_next_part():
            pass

    def _build_next_part(self) -> bool:
        """Import and build the next part the unlock screen does not need; False when all are built."""
        if self.backup_actions is None:
            from fieldapp.gui.backup_dialog import BackupActions

            self.backup_actions = BackupActions(self, self.context, self.file_menu)
            return True
        index = len(self._built_pages)
        if index == len(PAGES):
            return False
        page = page_class(PAGES[index])(self.context)
        self._built_pages.append(page)
        self.page_stack.addWidget(page)
        item = QListWidgetItem(_(page.TITLE))
        item.setData(Qt.ItemDataRole.UserRole, page.TITLE)
        if index < 9:
            item.setToolTip(f"Ctrl+{index + 1}")
        self.nav.addItem(item)
        self.nav.fit_labels()
        return True

    def _build_in_turn(self) -> None:
        # One part per turn of the event loop: keys typed meanwhile wait for one page at most.
        if self._build_next_part():
            QTimer.singleShot(0, self, self._build_in_turn)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self._building_started:  # the window is on screen: build the pages behind it
            self._building_started = True
            QTimer.singleShot(0, self.protection, self.protection.start_watching)
            QTimer.singleShot(0, self, self._build_in_turn)

    # -- menus -------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("")
        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_L))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock)
        self.quick_exit_action = QAction(self)
        # The keys themselves are caught by Protection in every window; this entry documents them.
        self.quick_exit_action.triggered.connect(self.quick_exit)
        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.edit_protection_settings)
        self.import_action = QAction(self)
        self.import_action.triggered.connect(self.open_import_wizard)
        self.quick_delete_action = QAction(self)  # lock, then the unlock screen's 5-second countdown
        self.quick_delete_action.triggered.connect(lambda: (self.lock(), self.unlock_screen.start_quick_delete()))
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        for action in (self.import_action, self.lock_action, self.quick_exit_action, self.settings_action,
                       self.quick_delete_action):
            self.file_menu.addAction(action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        # Window-wide keys: Ctrl+N makes a record on the page shown, wherever the focus is;
        # Ctrl+1…9 go to the pages in the order of the navigation.
        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_record)
        self.addAction(self.new_action)
        self.page_actions: list[QAction] = []
        for number in range(1, 10):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, row=number - 1: self.go_to_page(row))
            self.addAction(action)
            self.page_actions.append(action)

        self.language_menu = self.menuBar().addMenu("")
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, name in language_names():
            action = QAction(name, self)  # each language in its own language, never translated
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, c=code: self.choose_language(c))
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

    def retranslate(self) -> None:
        self.file_menu.setTitle(_("&File"))
        self.lock_action.setText(_("&Lock"))
        self.quick_exit_action.setText(_("&Quick exit") + "\t" + QUICK_EXIT_KEYS.toString(
            QKeySequence.SequenceFormat.NativeText))
        self.settings_action.setText(_("&Protection settings…"))
        self.import_action.setText(_("&Import…"))
        self.quick_delete_action.setText(_("Quick &delete…"))
        self.quit_action.setText(_("&Quit"))
        self.language_menu.setTitle(_("&Language"))
        self.language_actions[i18n.language()].setChecked(True)
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            item.setText(_(item.data(Qt.ItemDataRole.UserRole)))
        self.nav.fit_labels()  # "Parties et engagements" is wider than "Parties & commitments"
        self.unlock_screen.retranslate()
        self._update_status()

    def _update_actions(self) -> None:
        unlocked = self.context.is_unlocked
        self.lock_action.setEnabled(unlocked)
        self.settings_action.setEnabled(unlocked)
        self.import_action.setEnabled(unlocked)

    def _update_status(self) -> None:
        if self.context.is_unlocked:
            session = self.context.session
            # Qt adds the application's display name ("Beni field office — fieldapp"): only the site here.
            self.setWindowTitle(session.site_name)
            self.status.setText(_("Site: {site} · User: {user}").format(site=session.site_name, user=session.user))
        else:
            self.setWindowTitle("fieldapp")  # the app name alone: Qt does not repeat a title ending with it
            self.status.setText(_("Locked") if self.vault.exists() else "")

    # -- language ----------------------------------------------------------------------------
    def choose_language(self, code: str) -> None:
        apply_language(code, self.context)
        if self.context.is_unlocked:
            settings = self.context.session.user_settings()
            settings[SETTING_LANGUAGE] = i18n.language()
            self.context.session.save_user_settings(settings)

    # -- unlocking and locking ---------------------------------------------------------------
    def _vault_created(self, session) -> None:
        wizard, self.wizard = self.wizard, None
        self.stack.removeWidget(self.wizard_frame)
        self.wizard_frame.deleteLater()  # the recovery key it showed goes with it
        del wizard
        settings = session.user_settings()
        settings[SETTING_LANGUAGE] = i18n.language()
        session.save_user_settings(settings)
        self.on_unlocked(session)

    def on_unlocked(self, session) -> None:
        self.finish_building()  # every page exists before the session is announced to them
        self.vault = session.vault
        self.unlock_screen.set_vault(session.vault)
        settings = session.user_settings()
        wanted = settings.get(SETTING_LANGUAGE)
        if wanted in i18n.LANGUAGES and wanted != i18n.language():
            apply_language(wanted, self.context)
        self.protection.set_timeout_minutes(clamp_minutes(settings.get(SETTING_LOCK_MINUTES, DEFAULT_LOCK_MINUTES)))
        self.context.set_session(session)
        self.stack.setCurrentWidget(self.workspace)
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)
        self.protection.set_active(True)
        self._update_actions()
        self._update_status()
        self.nav.setFocus()
        warnings = clock_warnings(session.clock)  # docs/DESIGN.md 5: before anything is recorded
        if warnings:
            self.clock_warning = QMessageBox(QMessageBox.Icon.Warning, _("Check this laptop's clock"),
                                             "\n\n".join(warnings), QMessageBox.StandardButton.Ok, self)
            self.clock_warning.open()

    def lock(self) -> None:
        """Hide every record at once, then make every page forget it and drop the key."""
        if not self.context.is_unlocked:
            return
        self.stack.setCurrentWidget(self.unlock_screen)
        self._close_other_windows()
        # Paint the blank screen now: closing the database below can take half a second on a
        # big vault (SQLite checkpoints its write-ahead log), and nothing may show meanwhile.
        self.repaint()
        clear_sensitive_clipboard()
        self.protection.set_active(False)
        self.context.drop_session()
        self.unlock_screen.reset()
        self._update_actions()
        self._update_status()
        self.unlock_screen.focus_first_field()

    def quick_exit(self) -> None:
        """Quick exit: lock, and get the window out of sight."""
        self.lock()
        self.showMinimized()

    def _close_other_windows(self) -> None:
        # Forms, message boxes and menus are separate windows that may show a record. done() of
        # the QDialog base ends a running exec() without asking "discard changes?".
        # The garbage collector is held while PySide wraps the window list: a collection started by
        # that wrapping could destroy a window the list still points to (a segfault seen in tests).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._close_windows(QApplication.topLevelWidgets())
        finally:
            if collecting:
                gc.enable()

    def _close_windows(self, windows) -> None:
        for widget in windows:
            if widget is self or not widget.isVisible():
                continue
            if isinstance(widget, QProgressDialog):
                widget.hide()  # its worker still reports to it; it shows no record
            elif isinstance(widget, QDialog):
                QDialog.done(widget, QDialog.DialogCode.Rejected)
                widget.deleteLater()
            elif isinstance(widget, QMenu):
                widget.hide()
            else:
                widget.hide()
                widget.deleteLater()

    # -- other -------------------------------------------------------------------------------
    def open_import_wizard(self) -> None:
        if not self.context.is_unlocked:
            return
        from fieldapp.gui.import_wizard import open_import_wizard  # imported when first used

        self.import_wizard = open_import_wizard(self.context, self)

    def edit_protection_settings(self) -> None:
        if not self.context.is_unlocked:
            return
        session = self.context.session
        try:
            delete_after = session.vault.attempts.read().delete_after
        except FieldappError as error:
            QMessageBox.warning(self, _("Protection settings"), str(error))
            return
        dialog = LockSettingsDialog(session.user_settings().get(SETTING_LOCK_MINUTES, DEFAULT_LOCK_MINUTES),
                                    delete_after, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and self.context.is_unlocked:
            try:
                save_protection_settings(self.context.session, dialog.value(), dialog.delete_after())
            except FieldappError as error:
                QMessageBox.warning(self, _("Protection settings"), str(error))
            else:
                self.protection.set_timeout_minutes(dialog.value())
        dialog.deleteLater()

    def new_record(self) -> None:
        page = self.page_stack.currentWidget()
        if self.context.is_unlocked and self.stack.currentWidget() is self.workspace and hasattr(page, "new_record"):
            page.new_record()

    def go_to_page(self, row: int) -> None:
        if self.context.is_unlocked and self.stack.currentWidget() is self.workspace and 0 <= row < self.nav.count():
            self.nav.setCurrentRow(row)
            self.page_stack.currentWidget().setFocus()

    def page_of_kind(self, kind: str) -> Page | None:
        return next((page for page in self.pages if kind in (page.KIND, *getattr(page, "OTHER_KINDS", ()))), None)

    def show_page(self, page: Page) -> None:
        self.nav.setCurrentRow(self.pages.index(page))

    def open_record(self, kind: str, record_id: str) -> None:
        page = self.page_of_kind(kind)
        if page is None or not self.context.is_unlocked:
            return
        self.show_page(page)
        page.open_record(record_id)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.wizard is not None and self.wizard.session is not None:
            # The vault exists and the recovery key is on screen for the last time.
            self.wizard.reject()
            event.ignore()
            return
        self.lock()
        event.accept()
