"""The generic record list page: search as you type, filters, a sortable table over a lazy model,
a detail pane, New / Edit / Delete, and counts. Referrals, alerts, trainings and the directory
are this page with their own columns, filters, form and detail text."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMenu, QMessageBox,
                               QPushButton, QSplitter, QTableView, QTextBrowser, QVBoxLayout, QWidget)

from fieldapp.domain.vocab import Vocabulary
from fieldapp.errors import FieldappError
from fieldapp.gui.page import Page
from fieldapp.gui.protection import copy_sensitive
from fieldapp.gui.table_models import Column, RecordTableModel
from fieldapp.gui.widgets.dates import DateInput
from fieldapp.gui.widgets.flow import FlowLayout
from fieldapp.gui.widgets.places import PlaceNames, PlacePicker
from fieldapp.gui.widgets.signals import signals_blocked
from fieldapp.gui.widgets.vocab import VocabCombo
from fieldapp.i18n import N_, _, format_number, language
from fieldapp.core.changes import ListQuery

SEARCH_DELAY_MS = 150


@dataclass(frozen=True)
class FilterSpec:
    """A drop-down filter: `name` is a key of the repository's FILTERS; "" means all."""

    name: str
    title: str  # N_-marked
    vocabulary: Vocabulary
    convert: Callable[[str], object] = lambda code: code


def copy_to_clipboard(text: str) -> None:
    """Record text leaves the clipboard after 30 seconds and on lock (protection.py)."""
    copy_sensitive(text)


class DetailView(QTextBrowser):
    """Read-only record details whose copied text is cleared from the clipboard later."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse |
                                     Qt.TextInteractionFlag.TextSelectableByKeyboard)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        super().keyPressEvent(event)

    def copy_selection(self) -> None:
        text = self.textCursor().selectedText().replace("\u2029", "\n")
        if text:
            copy_to_clipboard(text)

    def contextMenuEvent(self, event) -> None:
        menu = QMenu(self)
        menu.addAction(_("Copy"), self.copy_selection).setEnabled(self.textCursor().hasSelection())
        menu.addAction(_("Select all"), self.selectAll)
        menu.exec(event.globalPos())

    def createMimeDataFromSelection(self):
        # Dragging selected text out would bypass the clipboard guard.
        from PySide6.QtCore import QMimeData

        return QMimeData()


class ListPage(Page):
    """Subclasses set TITLE, KIND, FORM, FILTERS, DATE_TITLE (None: no date range), SEARCH_HINT and
    implement repository(session), make_columns(), detail_html(record), count_text(n), describe(record)."""

    FORM = None
    FILTERS: tuple[FilterSpec, ...] = ()
    DATE_TITLE: str | None = None
    SEARCH_HINT = N_("Search")
    # Change kinds (besides KIND) that alter what the detail pane shows.
    DETAIL_KINDS: tuple[str, ...] = ()
    SORT = ""  # the repository's SORTS key a list opens with
    DESCENDING = True

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.places = PlaceNames(context)
        self.form = None  # the open form, if any
        self.confirm_box: QMessageBox | None = None
        self._dirty = True
        self._split_set = False
        self._total: int | None = None  # unfiltered count, kept until records are added or deleted
        self.model = RecordTableModel(self.make_columns(), query=ListQuery(sort=self.SORT, descending=self.DESCENDING),
                                      parent=self)
        self._build()
        self.retranslate()

    # -- for subclasses ------------------------------------------------------------------------
    def repository(self, session):
        raise NotImplementedError

    def make_columns(self) -> list[Column]:
        raise NotImplementedError

    def detail_html(self, record) -> str:
        raise NotImplementedError

    def count_text(self, count: int) -> str:
        raise NotImplementedError

    def describe(self, record) -> str:
        """A short name of the record for the delete confirmation."""
        return ""

    def extra_filters(self) -> dict:
        return {}

    def add_extra_filter_widgets(self, row: QHBoxLayout) -> None:
        """Subclasses add page-specific filter inputs (call self.apply_filters when they change)."""

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.count_label = QLabel()
        self.new_button = QPushButton()
        self.edit_button = QPushButton()
        self.delete_button = QPushButton()
        self.new_button.clicked.connect(self.new_record)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        # The buttons beside the title, at the right, or under it when the row is too narrow (in
        # French at 150 % scaling) instead of pushing the window wider than the screen.
        top = FlowLayout()
        self.action_row = top  # pages may add buttons beside New / Edit / Delete
        top.add_widget(self.title_label)
        top.add_widget(self.count_label)
        spacer = QWidget()
        spacer.setFixedSize(0, 0)
        top.add_widget(spacer, stretch=True)
        for button in (self.new_button, self.edit_button, self.delete_button):
            top.add_widget(button)

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.search.installEventFilter(self)

        # Two rows so the page fits a 1366-pixel laptop screen beside the navigation.
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 3)
        self.place_filter = PlacePicker(self.context)
        self.place_filter.setMinimumWidth(200)
        self.place_filter.changed.connect(lambda _pcode: self.apply_filters())
        search_row.addWidget(self.place_filter, 2)
        # The filters wrap onto a second line on a narrow screen instead of widening the window.
        filters = FlowLayout()
        self.date_label = QLabel()
        self.date_from = DateInput(optional=True, spelled=False)
        self.date_to = DateInput(optional=True, spelled=False)
        self.to_label = QLabel()
        if self.DATE_TITLE:
            date_range = QWidget()
            range_row = QHBoxLayout(date_range)
            range_row.setContentsMargins(0, 0, 0, 0)
            for widget in (self.date_label, self.date_from, self.to_label, self.date_to):
                range_row.addWidget(widget)
            filters.add_widget(date_range)
            self.date_from.changed.connect(self.apply_filters)
            self.date_to.changed.connect(self.apply_filters)
        self.filter_combos: dict[str, VocabCombo] = {}
        for spec in self.FILTERS:
            combo = VocabCombo(spec.vocabulary, empty_label=spec.title)
            # Sized for a short label: long choices show in full in the open list.
            combo.setSizeAdjustPolicy(VocabCombo.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
            combo.code_changed.connect(lambda _code: self.apply_filters())
            self.filter_combos[spec.name] = combo
            filters.add_widget(combo)
        self.add_extra_filter_widgets(filters)
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset_filters)
        filters.add_widget(self.reset_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        # Fixed row heights: the view never measures 200 000 rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.sectionClicked.connect(self._header_clicked)
        # Size columns from the rows on screen only: never fetch 200 000 rows to measure them.
        header.setResizeContentsPrecision(0)
        self.table.verticalHeader().setResizeContentsPrecision(0)
        self._columns_sized = False
        self._sized_language = ""
        self.table.doubleClicked.connect(lambda _index: self.edit_current())
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._show_detail())
        self.table.installEventFilter(self)

        self.detail = DetailView()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(search_row)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        shortcut_context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.focus_search, context=shortcut_context)
        # Ctrl+N is the main window's: it works wherever the focus is on the page (the navigation too).
        self._update_buttons()

    # -- page hooks ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title_label.setText(_(self.TITLE))
        self.new_button.setText(_("New…"))
        self.new_button.setToolTip(_("Ctrl+N"))
        self.edit_button.setText(_("Edit…"))
        self.edit_button.setToolTip(_("Enter"))
        self.delete_button.setText(_("Delete…"))
        self.delete_button.setToolTip(_("Delete key"))
        self.reset_button.setText(_("Clear filters"))
        self.search.setPlaceholderText(_(self.SEARCH_HINT) + "  (Ctrl+F)")
        self.date_label.setText(_(self.DATE_TITLE) if self.DATE_TITLE else "")
        self.to_label.setText(_("to"))
        for widget in (self.date_from, self.date_to, self.place_filter, *self.filter_combos.values()):
            widget.retranslate()
        for spec in self.FILTERS:  # wide enough for its "All …" label in this language, never cut
            self.filter_combos[spec.name].setMinimumContentsLength(max(16, len(_(spec.title))))
        self.model.retranslate()
        if self._columns_sized and self.model.rowCount():
            self._size_columns()  # the titles' widths change with the language
        self._update_count()
        self._show_detail()

    def clear(self) -> None:
        self._search_timer.stop()
        if self.confirm_box is not None:
            self.confirm_box.reject()
        self.model.clear()
        self.detail.clear()
        self.places.clear()
        # Typed search text may be a survivor code: it goes too.
        with signals_blocked(self.search):
            self.search.clear()
        self.place_filter.clear()
        self.count_label.clear()
        self._dirty = True
        self._total = None
        self._update_buttons()

    def reload(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._split_set:
            # The table gets most of the width; the detail pane what is left.
            self._split_set = True
            width = max(self.splitter.width(), 900)
            self.splitter.setSizes([width * 64 // 100, width * 36 // 100])
        if self._dirty and self.context.is_unlocked:
            self.refresh()
        else:
            self._show_detail()  # e.g. a service changed on another page meanwhile

    def on_records_changed(self, change) -> None:
        if change.kind == "place":
            self.places.clear()  # a gazetteer import may have renamed places
            self.model.retranslate()
        if change.kind == self.KIND:
            if not self.isVisible():
                self._dirty = True
                return
            if change.created or change.deleted:
                self._total = None
                self.refresh(select_id=change.created[0] if change.created else None)
            else:
                self.model.forget(change.updated)
                self._show_detail()
        elif change.kind in self.DETAIL_KINDS and self.isVisible():
            self._show_detail()

    def open_record(self, record_id: str) -> None:
        if not self.context.is_unlocked:
            return
        if self._dirty:
            self.refresh()
        row = self.model.row_of(record_id)
        if row < 0:
            # Hidden by the current search or filters: show everything, then find it.
            self.reset_filters()
            row = self.model.row_of(record_id)
        if row >= 0:
            self.select_row(row)
            self.table.setFocus()

    # -- querying ------------------------------------------------------------------------------
    def current_query(self) -> ListQuery:
        filters = {spec.name: spec.convert(self.filter_combos[spec.name].code())
                   for spec in self.FILTERS if self.filter_combos[spec.name].code()}
        filters.update(self.extra_filters())
        base = self.model.query
        return ListQuery(search=self.search.text(),
                         date_from=self.date_from.value() if self.DATE_TITLE else None,
                         date_to=self.date_to.value() if self.DATE_TITLE else None,
                         pcode_prefix=self.place_filter.pcode(), filters=filters,
                         sort=base.sort, descending=base.descending)

    def filtered(self) -> bool:
        query = self.current_query()
        return bool(query.search.strip() or query.date_from or query.date_to or query.pcode_prefix or query.filters)

    def refresh(self, select_id: str | None = None) -> None:
        """Run the list query again, keeping (or moving to) the selected record."""
        if not self.context.is_unlocked:
            return
        keep = select_id or self.current_id()
        if self.model.id_count() == 0 or self._dirty:
            self._total = None
        self.model.set_repository(self.repository(self.context.session))
        self.model.set_query(self.current_query())
        self._dirty = False
        self._sync_sort_indicator()
        row = self.model.row_of(keep) if keep else -1
        self.select_row(row if row >= 0 else 0)
        self._update_count()
        if self.model.rowCount() and (not self._columns_sized or self._sized_language != language()):
            self._size_columns()  # once, and again after a language switch while locked

    def _size_columns(self) -> None:
        self._columns_sized = True
        self._sized_language = language()
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for section, column in enumerate(self.model.columns):
            limit = self.table.fontMetrics().horizontalAdvance("M" * column.max_chars)
            # Never narrower than its title: a cut column title is as bad as a cut cell.
            header.resizeSection(section, max(min(header.sectionSize(section) + 12, limit),
                                              header.sectionSizeHint(section)))

    def apply_filters(self) -> None:
        self._search_timer.stop()
        if self.context.is_unlocked:
            self.refresh()

    def _search_now(self) -> None:
        self.apply_filters()
        self.table.setFocus()

    def reset_filters(self) -> None:
        widgets = [self.search, self.date_from, self.date_to, self.place_filter, *self.filter_combos.values()]
        with ExitStack() as stack:
            for widget in widgets:
                stack.enter_context(signals_blocked(widget))
            self.search.clear()
            self.date_from.clear()
            self.date_to.clear()
            self.place_filter.clear()
            for combo in self.filter_combos.values():
                combo.set_code("")
            self.reset_extra_filters()
        self.apply_filters()

    def reset_extra_filters(self) -> None:
        """Subclasses reset the inputs they added (signals are not blocked)."""

    def _update_count(self) -> None:
        if not self.context.is_unlocked or self._dirty:
            self.count_label.setText("")
            return
        shown = self.model.rowCount()
        if self.filtered():
            if self._total is None:
                # Counting 200 000 rows takes ~100 ms: once per change, not once per key typed.
                self._total = self.repository(self.context.session).count(ListQuery())
            total = self._total
            text = _("{shown} of {total}").format(shown=format_number(shown), total=self.count_text(total))
        else:
            self._total = shown
            text = self.count_text(shown)
        self.count_label.setText(text)

    # -- sorting -------------------------------------------------------------------------------
    def _header_clicked(self, section: int) -> None:
        column = self.model.columns[section] if 0 <= section < len(self.model.columns) else None
        if column is None or column.sort is None:
            self._sync_sort_indicator()
            return
        if self.model.sort_column() == section:
            descending = not self.model.query.descending
        else:
            # Dates first newest; names and codes first A→Z.
            descending = column.sort.endswith(("_at", "_date", "last_verified"))
        keep = self.current_id()
        self.model.sort(section, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
        self._sync_sort_indicator()
        row = self.model.row_of(keep) if keep else -1
        self.select_row(row if row >= 0 else 0)

    def _sync_sort_indicator(self) -> None:
        header = self.table.horizontalHeader()
        section = self.model.sort_column()
        with signals_blocked(header):
            if section < 0:
                header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            else:
                header.setSortIndicator(section, Qt.SortOrder.DescendingOrder if self.model.query.descending
                                        else Qt.SortOrder.AscendingOrder)

    # -- selection and detail ------------------------------------------------------------------
    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def current_id(self) -> str | None:
        row = self.current_row()
        return self.model.id_at(row) if row >= 0 else None

    def current_record(self):
        row = self.current_row()
        return self.model.record_at(row) if row >= 0 else None

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            index = self.model.index(row, 0)
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)
        self._show_detail()

    def _show_detail(self) -> None:
        record = self.current_record() if self.context.is_unlocked else None
        if record is None:
            self.detail.setHtml("")
        else:
            self.detail.setHtml(self.detail_html(record))
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.current_row() >= 0 and self.context.is_unlocked
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        self.new_button.setEnabled(self.context.is_unlocked)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, watched, event) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if watched is self.search and key == Qt.Key.Key_Down:
                self._search_now()
                return True
            if watched is self.table:
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.edit_current()
                    return True
                if key == Qt.Key.Key_Delete:
                    self.delete_current()
                    return True
                if event.matches(QKeySequence.StandardKey.Copy):
                    self._copy_row()
                    return True
        return super().eventFilter(watched, event)

    def _copy_row(self) -> None:
        row = self.current_row()
        if row >= 0:
            texts = [self.model.data(self.model.index(row, column)) or "" for column in range(self.model.columnCount())]
            copy_to_clipboard("\t".join(texts))

    # -- actions -------------------------------------------------------------------------------
    def new_record(self) -> None:
        self._open_form(None)

    def edit_current(self) -> None:
        record = self.current_record()
        if record is not None:
            # Fresh from the store: the cached row may be older than the last save elsewhere.
            self._open_form(self.repository(self.context.session).find(record.id) or record)

    def _open_form(self, record) -> None:
        if not self.context.is_unlocked or self.FORM is None:
            return
        if self.form is not None:
            self.form.raise_()
            self.form.activateWindow()
            return
        self.form = self.FORM(self.context, record, self)
        self.form.finished.connect(self._form_closed)
        self.form.open()

    def _form_closed(self, _result: int) -> None:
        self.form = None
        self.table.setFocus()

    def delete_current(self) -> None:
        record = self.current_record()
        if record is None or not self.context.is_unlocked:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, _("Delete"),
                          _("Delete {record}?").format(record=self.describe(record)),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setInformativeText(_("It disappears from every list. A deletion note is kept in the vault and "
                                 "sent with the next sync bundle."))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        record_id = record.id

        def answered(button) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:
                self._delete(record_id)

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _result: setattr(self, "confirm_box", None))
        self.confirm_box = box
        box.open()

    def _delete(self, record_id: str) -> None:
        if not self.context.is_unlocked:
            return
        row = self.current_row()
        try:
            change = self.repository(self.context.session).delete(record_id)
        except FieldappError as error:
            QMessageBox.warning(self, _("Delete"), str(error))
            return
        self.context.records_changed.emit(change)
        self.select_row(min(row, self.model.rowCount() - 1))


# -- helpers the list pages share ----------------------------------------------------------------
def when(value) -> str:
    """A date-time the one short way of the language (i18n), as date fields show and accept it."""
    from fieldapp.i18n import format_datetime

    return format_datetime(value, "short") if value else ""


def day(value) -> str:
    from fieldapp.i18n import format_date

    return format_date(value, "short") if value else ""


def detail_table(title: str, rows: list[tuple[str, str]], warning: str = "") -> str:
    """HTML for the detail pane: a heading, an optional red line, then label/value rows (escaped)."""
    from html import escape

    parts = [f"<h3>{escape(title)}</h3>"]
    if warning:
        parts.append(f"<p style='color:#b00020; font-weight:bold'>{escape(warning)}</p>")
    parts.append("<table cellspacing='0' cellpadding='3'>")
    for label, value in rows:
        if value in (None, ""):
            continue
        text = escape(str(value)).replace("\n", "<br>")
        parts.append(f"<tr><td style='color:#555; padding-right:12px' valign='top'>{escape(label)}</td>"
                     f"<td>{text}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")
