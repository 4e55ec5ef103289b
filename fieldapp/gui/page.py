"""The contract every page of the main window's navigation follows."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from fieldapp.gui.context import AppContext


class Page(QWidget):
    """A navigation page. Subclasses set TITLE with N_() and implement the four hooks.

    Pages connect to context.locked / unlocked / language_changed / records_changed themselves
    in __init__ through these hooks, so the main window only has to create and show them.
    """

    TITLE = ""  # marked with N_(), translated when shown
    KIND = ""   # record kind this page opens via open_record ("referral", "alert", …), if any

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        context.locked.connect(self.clear)
        context.unlocked.connect(self.reload)
        context.language_changed.connect(self.retranslate)
        context.records_changed.connect(self.on_records_changed)

    def retranslate(self) -> None:
        """Set every visible string again in the current language."""

    def clear(self) -> None:
        """Drop every record, model row, cache and form value this page holds (vault locked)."""

    def reload(self) -> None:
        """Fetch again from context.session (after unlock, or when first shown)."""

    def on_records_changed(self, change) -> None:
        """Refresh what `change` (a fieldapp.core.changes.Change) touched, if shown here."""

    def open_record(self, record_id: str) -> None:
        """Show the record with this id (for pages with KIND set)."""
