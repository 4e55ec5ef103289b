"""Table models for record lists: an ordered key list from SQL plus a small row cache.

The model holds the row numbers (`seq`) of a ListQuery, not the UUIDs: at 200 000 referrals the
sort indexes cover `seq`, so the list comes without reading the table (5-20x faster than ids).
Rows are fetched with the repository's `rows_by_seq` only around what the view paints: what the
list shows (a light row where the repository has one, else the record), and their display texts
are computed once per row and language. A page that needs the whole record reads it by id.
Sorting and filtering are a new query, done by SQL.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from fieldapp.i18n import _
from fieldapp.core.changes import ListQuery

# Roles the pages read besides DisplayRole; module constants so views and tests share them.
ID_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2

WARNING_COLOR = QColor("#b00020")
MUTED_COLOR = QColor("#6b6b6b")

# data() runs about a thousand times per painted frame, mostly for roles it does not serve:
# plain ints and ready-made values keep each call to a few dictionary and set lookups.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_SERVED_ROLES = frozenset({_DISPLAY, _TOOLTIP, _FOREGROUND, _ALIGNMENT, int(ID_ROLE), int(RECORD_ROLE)})
_ALIGN_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)
_ALIGN_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_TONE_BRUSHES = {"warning": QBrush(WARNING_COLOR), "muted": QBrush(MUTED_COLOR)}
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


@dataclass(frozen=True)
class Column:
    """One list column. `title` is marked with N_() and translated when shown; `sort` is a key of
    the repository's SORTS (None: not sortable); `text(record)` gives the cell text; `tone(record)`
    optionally returns "warning" or "muted" to colour the cell."""

    title: str
    text: Callable[[object], str]
    sort: str | None = None
    tone: Callable[[object], str | None] | None = None
    align_right: bool = False
    max_chars: int = 15  # widest the column grows when sized to its contents


class RecordTableModel(QAbstractTableModel):
    """Keys of one ListQuery, in SQL order; records fetched around the rows a view asks for."""

    # Rows fetched around one the view asks for: a few screens, so a jump of the scroll thumb
    # reads about 100 records (under 10 ms at 200 000) and scrolling on fetches every few pages.
    FETCH_BEFORE = 20
    FETCH_AFTER = 80
    CACHE_LIMIT = 3000

    def __init__(self, columns: list[Column], repository=None, query: ListQuery | None = None, parent=None):
        super().__init__(parent)
        self._columns = list(columns)
        self._alignments = [_ALIGN_RIGHT if column.align_right else _ALIGN_LEFT for column in self._columns]
        self._repository = repository
        self._query = query or ListQuery()
        self._ids: list[int] = []  # seq of each row
        self._rows: OrderedDict[int, tuple[object, list[str], list[str | None]] | None] = OrderedDict()

    # -- what pages call ----------------------------------------------------------------------
    @property
    def query(self) -> ListQuery:
        return self._query

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def set_repository(self, repository) -> None:
        self._repository = repository

    def set_query(self, query: ListQuery) -> None:
        self._query = query
        self.refresh()

    def refresh(self) -> None:
        """Run the query again (records created, deleted, or a new sort/filter)."""
        ids = self._repository.list_seqs(self._query) if self._repository is not None else []
        self.beginResetModel()
        self._ids = ids
        self._rows.clear()
        self.endResetModel()

    def forget(self, ids: list[str]) -> None:
        """Drop cached rows of records that changed, so the view fetches them again."""
        wanted = set(ids)
        stale = [key for key, row in self._rows.items() if row is not None and row[0].id in wanted]
        for key in stale:
            del self._rows[key]
        touched = bool(stale)
        if touched and self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self._columns) - 1))

    def clear(self) -> None:
        """Hold no id, record or text any more (the vault is locked)."""
        self.beginResetModel()
        self._repository = None
        self._ids = []
        self._rows.clear()
        self.endResetModel()

    def retranslate(self) -> None:
        """Texts are per language: recompute them lazily and repaint headers and cells."""
        for record_id, row in list(self._rows.items()):
            if row is not None:
                self._rows[record_id] = (row[0], [], [])
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self._columns) - 1))

    def id_at(self, row: int) -> str | None:
        record = self.record_at(row)
        return record.id if record is not None else None

    def record_at(self, row: int):
        entry = self._entry(row)
        return entry[0] if entry else None

    def row_of(self, record_id: str) -> int:
        """Row of a record id, or -1: one indexed lookup, then a C-speed scan of the keys (~2 ms)."""
        if self._repository is None:
            return -1
        key = self._repository.seq_of(record_id)
        if key is None:
            return -1
        try:
            return self._ids.index(key)
        except ValueError:
            return -1

    def cached_count(self) -> int:
        return sum(1 for row in self._rows.values() if row is not None)

    def id_count(self) -> int:
        return len(self._ids)

    # -- the row cache -------------------------------------------------------------------------
    def _entry(self, row: int):
        if not 0 <= row < len(self._ids):
            return None
        key = self._ids[row]
        if key in self._rows:
            self._rows.move_to_end(key)
            return self._rows[key]
        self._fetch_around(row)
        return self._rows.get(key)

    def _fetch_around(self, row: int) -> None:
        if self._repository is None:
            return
        start, end = max(0, row - self.FETCH_BEFORE), min(len(self._ids), row + self.FETCH_AFTER)
        wanted = [key for key in self._ids[start:end] if key not in self._rows]
        found = self._repository.rows_by_seq(wanted)
        for key in wanted:
            record = found.get(key)
            # A record gone since the keys were read stays an empty row until the next refresh.
            self._rows[key] = (record, [], []) if record is not None else None
        while len(self._rows) > self.CACHE_LIMIT:
            self._rows.popitem(last=False)

    def _texts(self, entry) -> tuple[list[str], list[str | None]]:
        record, texts, tones = entry
        if not texts and self._columns:
            texts.extend(column.text(record) for column in self._columns)
            tones.extend(column.tone(record) if column.tone else None for column in self._columns)
        return texts, tones

    # -- Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY):
        if role not in _SERVED_ROLES:
            return None
        row, column = index.row(), index.column()  # -1 for an invalid index
        if not (0 <= row < len(self._ids) and 0 <= column < len(self._columns)):
            return None
        if role == _ALIGNMENT:
            return self._alignments[column]
        entry = self._entry(row)
        if entry is None:
            return "—" if role == _DISPLAY else None
        if role == RECORD_ROLE:
            return entry[0]
        if role == ID_ROLE:
            return entry[0].id
        texts, tones = self._texts(entry)
        if role == _FOREGROUND:
            return _TONE_BRUSHES.get(tones[column])
        return texts[column]  # display and tooltip

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return _(column.title)
        if role == Qt.ItemDataRole.ToolTipRole and column.sort is None:
            return _("This column cannot be sorted.")
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _CELL_FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns) or self._columns[column].sort is None:
            return
        wanted = replace(self._query, sort=self._columns[column].sort,
                         descending=order == Qt.SortOrder.DescendingOrder)
        if wanted != self._query:
            # A reset, not layoutChanged: it keeps no persistent index pointing at a stale row;
            # the page restores the selection by id.
            self.set_query(wanted)

    def sort_column(self) -> int:
        """Column index of the current sort key, or -1."""
        key = self._query.sort
        for position, column in enumerate(self._columns):
            if column.sort and column.sort == key:
                return position
        return -1
