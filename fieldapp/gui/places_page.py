"""The gazetteer: browse places as a tree or search them by any part of a name, and import an
OCHA P-code CSV off the GUI thread with progress and cancel. An empty gazetteer says what to do
and offers the DR Congo P-code file that ships with the app."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QSplitter, QStackedWidget, QTableView, QTreeView, QVBoxLayout)

from fieldapp.domain.gazetteer import read_pcode_file
from fieldapp.domain.records import Place
from fieldapp.gui.list_page import DetailView, detail_table
from fieldapp.gui.page import Page
from fieldapp.gui.table_models import ID_ROLE
from fieldapp.gui.widgets.signals import signals_blocked
from fieldapp.gui.workers import Cancelled, error_message
from fieldapp.i18n import N_, _, format_number, language, ngettext
from fieldapp.paths import resources_dir, shared_data_dir
from fieldapp.core.changes import ListQuery

PLACE_COLUMNS = (N_("Name"), N_("P-code"))
SEARCH_COLUMNS = (N_("Name"), N_("Level"), N_("P-code"), N_("Path"))


def shipped_pcode_file() -> Path | None:
    """The DR Congo P-code file packaged with the app, if this install has it."""
    path = resources_dir() / "pcodes" / "COD_pcodes.csv"
    return path if path.is_file() else None


def level_text(level: int) -> str:
    return _("Admin level {level}").format(level=level)


class _Node:
    __slots__ = ("place", "parent", "children", "row")

    def __init__(self, place: Place | None, parent: "_Node | None", row: int):
        self.place, self.parent, self.row = place, parent, row
        self.children: list[_Node] = []


class PlaceTreeModel(QAbstractItemModel):
    """The whole gazetteer as a tree (a few thousand places at most: loaded at once)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._root = _Node(None, None, 0)

    def set_places(self, places: list[Place]) -> None:
        self.beginResetModel()
        self._root = _Node(None, None, 0)
        nodes: dict[str, _Node] = {}
        for place in sorted(places, key=lambda p: (p.level, p.name(language()).lower(), p.pcode)):
            parent = nodes.get(place.parent_pcode or "", self._root)
            node = _Node(place, parent, len(parent.children))
            parent.children.append(node)
            nodes[place.pcode] = node
        self.endResetModel()

    def clear(self) -> None:
        self.set_places([])

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(PLACE_COLUMNS) - 1)

    def _node(self, index: QModelIndex | QPersistentModelIndex) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(PLACE_COLUMNS) or (parent.isValid() and parent.column() != 0):
            return QModelIndex()
        node = self._node(parent)
        if not 0 <= row < len(node.children):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node = index.internalPointer()
        parent = node.parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return len(PLACE_COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        place = index.internalPointer().place
        if role == ID_ROLE:
            return place.pcode
        if role == Qt.ItemDataRole.DisplayRole:
            return place.name(language()) if index.column() == 0 else place.pcode
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(PLACE_COLUMNS):
            return _(PLACE_COLUMNS[section])
        return None

    def index_of(self, pcode: str) -> QModelIndex:
        stack = list(self._root.children)
        while stack:
            node = stack.pop()
            if node.place.pcode == pcode:
                return self.createIndex(node.row, 0, node)
            stack.extend(node.children)
        return QModelIndex()


class PlaceSearchModel(QAbstractTableModel):
    """Search results: name, level, P-code and the path that tells two Beni apart."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[Place, str]] = []

    def set_results(self, rows: list[tuple[Place, str]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_results([])

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(SEARCH_COLUMNS) - 1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(SEARCH_COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        place, path = self._rows[index.row()]
        if role == ID_ROLE:
            return place.pcode
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (place.name(language()), level_text(place.level), place.pcode, path)[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(SEARCH_COLUMNS):
            return _(SEARCH_COLUMNS[section])
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def import_work(session, path: Path):
    """The import as a worker function: read and check the whole file first, then one transaction."""

    def work(report, is_cancelled):
        report(0, 3)
        places = read_pcode_file(path)
        report(1, 3)
        if is_cancelled():
            raise Cancelled()
        result = session.places.import_places(places, source=path.name)
        report(3, 3)
        return result

    return work


class PlacesPage(Page):
    TITLE = N_("Places")
    KIND = "place"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.worker = None
        self._dirty = True
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.count_label = QLabel()
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.choose_file)
        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.import_button)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        self.empty_hint = QLabel()
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("color: #555;")
        self.load_shipped_button = QPushButton()
        self.load_shipped_button.clicked.connect(self.load_shipped_file)
        empty_row = QHBoxLayout()
        empty_row.addWidget(self.load_shipped_button)
        empty_row.addStretch(1)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())

        self.tree_model = PlaceTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.selectionModel().currentChanged.connect(lambda current, _p: self._show(current.data(ID_ROLE)))
        self.search_model = PlaceSearchModel(self)
        self.results = QTableView()
        self.results.setModel(self.search_model)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().hide()
        self.results.horizontalHeader().setStretchLastSection(True)
        self.results.selectionModel().currentRowChanged.connect(
            lambda current, _p: self._show(current.data(ID_ROLE)))
        self.results.doubleClicked.connect(self._reveal_in_tree)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.results)
        self.detail = DetailView()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.stack)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.result_label)
        layout.addWidget(self.empty_hint)
        layout.addLayout(empty_row)
        layout.addWidget(self.search)
        layout.addWidget(splitter, 1)
        self.retranslate()

    # -- page hooks ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title_label.setText(_(self.TITLE))
        self.import_button.setText(_("Import P-code file…"))
        self.load_shipped_button.setText(_("Load the DR Congo places"))
        self.empty_hint.setText(
            _("No places yet. Records, the directory and the printed sheets name places from this list. The DR "
              "Congo P-code file (OCHA) ships with the app: press “Load the DR Congo places”. For another country, "
              "import its OCHA P-code file (CSV) with “Import P-code file…”. Headquarters' data files bring the "
              "places too.") if shipped_pcode_file() else
            _("No places yet. Records, the directory and the printed sheets name places from this list. Import the "
              "country's OCHA P-code file (CSV) with “Import P-code file…”; headquarters' data files bring the "
              "places too."))
        self.search.setPlaceholderText(_("Search any part of a place name, at any level, or a P-code"))
        self.tree_model.retranslate()
        self.search_model.retranslate()
        if self.context.is_unlocked and not self._dirty:
            self.refresh()  # names and order follow the language
        self._update_count()

    def clear(self) -> None:
        self._timer.stop()
        self.tree_model.clear()
        self.search_model.clear()
        self.detail.clear()
        self.count_label.clear()
        self.result_label.hide()
        self._show_empty_hint(False)
        with signals_blocked(self.search):
            self.search.clear()
        self.stack.setCurrentWidget(self.tree)
        self._dirty = True

    def reload(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty and self.context.is_unlocked:
            self.refresh()

    def on_records_changed(self, change) -> None:
        if change.kind == "place":
            self.reload()

    def open_record(self, record_id: str) -> None:
        if self._dirty:
            self.refresh()
        self.search.clear()
        self._select_in_tree(record_id)

    # -- content -------------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self.context.is_unlocked:
            return
        places = self.context.session.places
        self.tree_model.set_places(places.list())
        if self.tree_model.rowCount() == 1:
            self.tree.expand(self.tree_model.index(0, 0))
        if self.tree_model.rowCount():
            self.tree.setCurrentIndex(self.tree_model.index(0, 0))
        self._dirty = False
        self._update_count()
        if self.search.text().strip():
            self.run_search()

    def _show_empty_hint(self, empty: bool) -> None:
        self.empty_hint.setVisible(empty)
        self.load_shipped_button.setVisible(empty and shipped_pcode_file() is not None)
        self.load_shipped_button.setEnabled(self.worker is None)

    def _update_count(self) -> None:
        if not self.context.is_unlocked or self._dirty:
            self.count_label.setText("")
            self._show_empty_hint(False)
            return
        by_level = self.context.session.places.count_by_level()
        total = sum(by_level.values())
        self._show_empty_hint(total == 0)
        text = ngettext("{count} place", "{count} places", total).format(count=format_number(total))
        if by_level:
            text += " (" + ", ".join(_("level {level}: {count}").format(level=level, count=format_number(n))
                                     for level, n in by_level.items()) + ")"
        self.count_label.setText(text)

    def run_search(self) -> None:
        self._timer.stop()
        text = self.search.text().strip()
        if not text or not self.context.is_unlocked:
            self.search_model.clear()
            self.stack.setCurrentWidget(self.tree)
            return
        places = self.context.session.places
        found = places.search(text, limit=200)
        self.search_model.set_results([(place, places.path_label(place.pcode, language())) for place in found])
        self.stack.setCurrentWidget(self.results)
        if found:
            self.results.selectRow(0)

    def _reveal_in_tree(self, index: QModelIndex) -> None:
        pcode = index.data(ID_ROLE)
        self.search.clear()
        self.run_search()
        self._select_in_tree(pcode)

    def _select_in_tree(self, pcode: str) -> None:
        index = self.tree_model.index_of(pcode)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)
            self.tree.setFocus()

    def _show(self, pcode: str | None) -> None:
        if not pcode or not self.context.is_unlocked:
            self.detail.clear()
            return
        session = self.context.session
        place = session.places.get(pcode)
        if place is None:
            self.detail.clear()
            return
        area = ListQuery(pcode_prefix=pcode)
        self.detail.setHtml(detail_table(place.name(language()), [
            (_("P-code"), place.pcode),
            (_("Level"), level_text(place.level)),
            (_("Path"), session.places.path_label(pcode, language(), skip_country=False)),
            (_("English name"), place.name_en),
            (_("French name"), place.name_fr),
            (_("Referrals here"), format_number(session.referrals.count(area))),
            (_("Alerts here"), format_number(session.alerts.count(area))),
            (_("Trainings here"), format_number(session.trainings.count(area))),
            (_("Providers here"), format_number(session.providers.count(area))),
        ]))

    # -- import --------------------------------------------------------------------------------
    def choose_file(self) -> None:
        folder = shared_data_dir()
        path, _filter = QFileDialog.getOpenFileName(self, _("Import P-code file"), str(folder) if folder else "",
                                                    _("CSV files (*.csv);;All files (*)"))
        if path:
            self.import_file(Path(path))

    def load_shipped_file(self) -> None:
        path = shipped_pcode_file()
        if path is not None:
            self.import_file(path)

    def import_file(self, path: Path) -> None:
        if not self.context.is_unlocked or self.worker is not None:
            return
        self.result_label.hide()
        self.import_button.setEnabled(False)
        self.load_shipped_button.setEnabled(False)
        self.worker = self.context.jobs.run_with_progress(
            self, _("Importing places"), import_work(self.context.session, path),
            on_done=lambda result: self._imported(path, result), on_error=self._import_failed,
            label=_("Importing {file}…").format(file=path.name), on_cancelled=self._import_cancelled)

    def _finish_import(self, text: str, error: bool) -> None:
        self.worker = None
        self.import_button.setEnabled(True)
        self.load_shipped_button.setEnabled(True)
        self.result_label.setText(text)
        self.result_label.setStyleSheet("color: #b00020;" if error else "color: #1b5e20; font-weight: bold;")
        self.result_label.show()

    def _imported(self, path: Path, result) -> None:
        from fieldapp.ops.places import import_line

        self._finish_import(import_line(path.name, result), error=False)
        from fieldapp.core.changes import Change

        self.context.records_changed.emit(Change("place"))

    def _import_failed(self, error: BaseException) -> None:
        self._finish_import(_("Nothing was imported. {reason}").format(reason=error_message(error)), error=True)

    def _import_cancelled(self) -> None:
        self._finish_import(_("Import cancelled: nothing was changed."), error=True)
