"""Starting the desktop application: `fieldapp` with no subcommand calls run()."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from fieldapp import APP_NAME, __version__, i18n
from fieldapp.errors import FieldappError
from fieldapp.gui.context import AppContext
from fieldapp.gui.main_window import MainWindow
from fieldapp.gui.qt_i18n import apply_language
from fieldapp.gui.workers import wait_for_all
from fieldapp.i18n import _
from fieldapp.paths import resources_dir
from fieldapp.store import secret
from fieldapp.store.staging import remove_restore_leftovers
from fieldapp.store.vault import Vault, remove_stale_temp_files

ORGANISATION = "fieldapp"


def _install_excepthook(window_ref: list) -> None:
    """An exception in a slot must not end the app with a traceback on stderr nobody sees:
    expected failures get their one-line message, anything else a short report."""
    previous = sys.excepthook

    def hook(kind, value, tb):
        parent = window_ref[0] if window_ref else None
        if isinstance(value, FieldappError):
            QMessageBox.warning(parent, "fieldapp", str(value))
            return
        import traceback

        traceback.print_exception(kind, value, tb)
        QMessageBox.critical(parent, "fieldapp", _("Unexpected error ({kind}: {detail}). Nothing was saved by the "
                                                    "step that failed.").format(kind=kind.__name__, detail=value))

    sys.excepthook = hook
    QCoreApplication.instance().aboutToQuit.connect(lambda: setattr(sys, "excepthook", previous))


def create_application(argv: list[str]) -> QApplication:
    # From the start, so that every string the session frees is overwritten, and no crash of an
    # unlocked window leaves its memory in a core file (docs/RELIABILITY.md, "Secrets in memory").
    secret.wipe_freed_c_memory()
    secret.no_core_dumps()
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("fieldapp")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("fieldapp")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "fieldapp.png")))
    from fieldapp.gui.dialog_history import DialogHistoryGuard

    app.dialog_history_guard = DialogHistoryGuard(app)  # no folder history left outside the vault
    return app


def run(vault_path: Path | str, argv: list[str] | None = None) -> int:
    """Open the window on `vault_path`: the wizard when there is no vault, else the unlock screen."""
    app = create_application(list(argv or sys.argv[:1]))
    apply_language(i18n.language())
    vault_path = Path(vault_path)
    remove_restore_leftovers(vault_path)  # of a restore into this folder killed before it finished
    vault = Vault(vault_path)
    if vault.has_remains():
        remove_stale_temp_files(vault_path)
    context = AppContext()
    window = MainWindow(context, vault)
    window_ref = [window]
    _install_excepthook(window_ref)
    window.show()
    window.unlock_screen.focus_first_field()
    from fieldapp.gui import screenshot  # after show(): the window appears without waiting for it

    screenshot.install(window)  # FIELDAPP_SCREENSHOT=FILE: paint, save FILE, quit (smoke test)
    app.setQuitOnLastWindowClosed(True)
    try:
        return app.exec()
    finally:
        context.shutdown()  # every job ends before the database is closed and the key dropped
        wait_for_all()  # and any worker started outside the context (none should be)
        window.vault.release()
        window_ref.clear()


if __name__ == "__main__":  # python -m fieldapp.gui.app VAULT
    from fieldapp.paths import default_vault_dir

    sys.exit(run(sys.argv[1] if len(sys.argv) > 1 else default_vault_dir(), sys.argv[:1]))
