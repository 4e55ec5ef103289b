"""What every page and dialog is given instead of reaching for a global main window."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from fieldapp.errors import VaultError
from fieldapp.gui.workers import Jobs
from fieldapp.i18n import _
from fieldapp.store import secret

# After a lock, once closed dialogs and cleared pages have been deleted (next turns of the event
# loop), the memory they freed is overwritten (docs/RELIABILITY.md, "Secrets in memory").
SCRUB_DELAY_MS = 50


class AppContext(QObject):
    """The open session (None while locked) and the signals that tie pages together.

    - records_changed(Change): a page saved something; others refresh what the Change names.
    - open_record_requested(kind, id): show that record (Home items, search results, links).
    - language_changed(): every visible string must be set again (pages call retranslate()).
    - locked(): the key is gone; pages must drop every record they hold (clear()).
    - unlocked(): a session is available again; pages reload().

    `jobs` owns every background job (gui/workers.py): pages, dialogs and wizards start theirs
    with `context.jobs.start(…)` or `context.jobs.run_with_progress(…)`, and drop_session()
    (lock) and shutdown() (exit) stop them all before the database is closed.
    """

    records_changed = Signal(object)
    open_record_requested = Signal(str, str)
    language_changed = Signal()
    locked = Signal()
    unlocked = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._session = None
        self.jobs = Jobs(lambda: self._session, self)

    @property
    def session(self):
        if self._session is None:
            raise VaultError(_("The vault is locked."))
        return self._session

    @property
    def is_unlocked(self) -> bool:
        return self._session is not None

    def set_session(self, session) -> None:
        self._session = session
        self.unlocked.emit()

    def drop_session(self) -> None:
        """Tell every page to forget its records first, then stop every job and wait for each to
        end, then lock the session (database closed, key dropped), then, shortly after, overwrite
        the memory that held them."""
        session, self._session = self._session, None
        self.locked.emit()
        self.jobs.stop_all(session)
        if session is not None:
            session.lock()
        del session
        QTimer.singleShot(SCRUB_DELAY_MS, self.scrub_memory)

    def shutdown(self) -> None:
        """Application exit: the same as a lock, and the jobs started while locked stop too."""
        if self._session is not None:
            self.drop_session()
        self.jobs.stop_all()

    def scrub_memory(self) -> None:
        if self._session is None:
            secret.scrub_free_python_memory()
