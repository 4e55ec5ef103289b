"""File › Import…: a spreadsheet into the vault in six steps (docs/DESIGN.md 9): kind and file, sheet,
columns, values, dry run, import. Every decision goes into one `Mapping`, the same one the
command line's `--mapping` reads; the engine (fieldapp.ops.imports) does all the work, the
dry run and the import run in workers, and the import is one transaction a Cancel rolls back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWizard, QWizardPage)

from fieldapp.documents.import_fields import KINDS, Mapping
from fieldapp.documents.spreadsheet import Workbook, cell_text
from fieldapp.errors import FieldappError
from fieldapp.gui.widgets.fields import ERROR_STYLE, error_label
from fieldapp.gui.widgets.fit import fit_to_screen
from fieldapp.gui.workers import Worker, error_message
from fieldapp.i18n import _, format_number, ngettext
from fieldapp.ops.imports import (ImportCancelled, analyse, data_rows, distinct_values, run_import, save_mapping,
                                  write_refused)

KEY = "\0key"  # the combo entry "identifies the row at its source" (not a field)
KIND_PAGE, SHEET_PAGE, COLUMNS_PAGE, VALUES_PAGE, DRY_RUN_PAGE, IMPORT_PAGE = range(6)


def _say(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    header = table.horizontalHeader()
    for column in range(len(headers) - 1):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return table


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


def _work(wizard: "ImportWizard", dry_run: bool):
    """The worker function: the engine's run, stopped by Cancel at its next progress report."""
    session, kind, path, mapping = wizard.context.session, wizard.kind.name, wizard.path, wizard.mapping

    def work(report, is_cancelled):
        def progress(done: int, total: int) -> None:
            report(done, total)
            if is_cancelled():
                raise ImportCancelled(_("Import cancelled."))

        return run_import(session, kind, path, mapping, dry_run=dry_run, progress=progress)

    return work


class KindFilePage(QWizardPage):
    """1. What the rows are, and the file (CSV or XLSX)."""

    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.owner = wizard
        self.kind = QComboBox()
        for name in KINDS:
            self.kind.addItem("", name)
        self.path = QLineEdit()
        self.path.textChanged.connect(self.completeChanged)
        self.choose = QPushButton()
        self.choose.clicked.connect(self.choose_file)
        self.kind_label, self.file_label = QLabel(), QLabel()
        self.kind_label.setBuddy(self.kind)
        self.file_label.setBuddy(self.path)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.problem = error_label(hidden=True)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.choose)
        form = QFormLayout()
        form.addRow(self.kind_label, self.kind)
        form.addRow(self.file_label, row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def retranslate(self) -> None:
        self.setTitle(_("Records and file"))
        self.intro.setText(_("Choose what the rows of the spreadsheet are, then the file: CSV (any encoding, "
                             "separated by commas, semicolons or tabs) or an Excel workbook (.xlsx)."))
        for index in range(self.kind.count()):
            self.kind.setItemText(index, _(KINDS[self.kind.itemData(index)].title))
        self.kind_label.setText(_("&Records:"))
        self.file_label.setText(_("&File:"))
        self.choose.setText(_("&Choose…"))

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose the spreadsheet to import"), self.path.text() or str(Path.home()),
            _("Spreadsheets (*.csv *.xlsx *.txt);;All files (*)"))
        if path:
            self.path.setText(path)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return bool(self.path.text().strip())

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        try:
            workbook = Workbook(Path(self.path.text().strip()))
            sheets = workbook.sheet_names()
        except FieldappError as error:
            _say(self.problem, str(error))
            return False
        _say(self.problem, "")
        self.owner.set_file(KINDS[self.kind.currentData()], workbook, sheets)
        return True

    def nextId(self) -> int:  # noqa: N802 - Qt override
        return SHEET_PAGE if self.owner.workbook is not None and self.owner.workbook.is_xlsx else COLUMNS_PAGE


class SheetPage(QWizardPage):
    """2. Which sheet of a workbook."""

    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.owner = wizard
        self.sheet = QComboBox()
        self.sheet_label = QLabel()
        self.sheet_label.setBuddy(self.sheet)
        form = QFormLayout(self)
        form.addRow(self.sheet_label, self.sheet)

    def retranslate(self) -> None:
        self.setTitle(_("Sheet"))
        self.sheet_label.setText(_("&Sheet:"))

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.sheet.clear()
        self.sheet.addItems(self.owner.sheets)

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        mapping, sheet = self.owner.mapping, self.sheet.currentText() or None
        if sheet != mapping.sheet:
            # Another sheet has other columns and values: what was chosen for the first no longer applies.
            mapping.columns, mapping.values, mapping.key_column, mapping.header_row = {}, {}, None, None
        mapping.sheet = sheet
        return True


class ColumnsPage(QWizardPage):
    """3. Each column of the file to a field, as the engine matched it, changeable."""

    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.owner = wizard
        self.labels: list[str] = []
        self.combos: list[QComboBox] = []
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = _table(["", "", ""])
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.problem = error_label(hidden=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.missing)
        layout.addWidget(self.problem)

    def retranslate(self) -> None:
        self.setTitle(_("Columns"))
        self.intro.setText(_("Each column of the file goes into the field chosen beside it. Fields marked * are "
                             "needed: a row without them is refused."))
        self.table.setHorizontalHeaderLabels([_("Column in the file"), _("First value"), _("Goes into")])

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        owner = self.owner
        mapping = Mapping(owner.kind.name, sheet=owner.mapping.sheet, day_first=owner.mapping.day_first)
        try:
            layout = analyse(owner.workbook, owner.kind, mapping, require_columns=False)
            first = next(data_rows(owner.workbook, layout), (0, []))[1]
        except FieldappError as error:
            self.labels, self.combos = [], []
            self.table.setRowCount(0)
            _say(self.problem, str(error))
            return
        _say(self.problem, "")
        chosen = {layout.label(index): name for index, name in layout.columns.items()}
        if layout.key_index is not None:
            chosen[layout.label(layout.key_index)] = KEY
        # What the person chose before going back wins over the engine's matching.
        chosen.update({label: name for label, name in owner.mapping.columns.items()})
        if owner.mapping.key_column:
            chosen[owner.mapping.key_column] = KEY
        self.labels = [label for label in layout.labels if label.strip()]
        self.combos = []
        self.table.setRowCount(len(self.labels))
        positions = {label: index for index, label in enumerate(layout.labels)}
        for row, label in enumerate(self.labels):
            index = positions[label]
            sample = cell_text(first[index]) if index < len(first) else ""
            self.table.setItem(row, 0, _item(label))
            self.table.setItem(row, 1, _item(sample[:60]))
            combo = QComboBox()
            combo.addItem(_("— not imported —"), "")
            combo.addItem(_("Identifies the row at its source"), KEY)
            for spec in owner.kind.fields:
                combo.addItem(_(spec.title) + (" *" if spec.required else ""), spec.name)
            combo.setCurrentIndex(max(0, combo.findData(chosen.get(label, ""))))
            combo.setAccessibleName(label)
            combo.currentIndexChanged.connect(self._check)
            self.table.setCellWidget(row, 2, combo)
            self.combos.append(combo)
        self.table.resizeColumnsToContents()
        self._check()

    def choices(self) -> dict[str, str]:
        return {label: combo.currentData() for label, combo in zip(self.labels, self.combos)}

    def _check(self) -> None:
        fed = set(self.choices().values())
        missing = [_(spec.title) for spec in self.owner.kind.fields if spec.required and spec.name not in fed]
        _say(self.missing, _("No column feeds these needed fields: {fields}. Every row will be refused.").format(
            fields=", ".join(missing)) if missing else "")
        self.missing.setStyleSheet(ERROR_STYLE)

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        choices = self.choices()
        by_field: dict[str, list[str]] = {}
        for label, name in choices.items():
            if name:
                by_field.setdefault(name, []).append(label)
        for name, labels in by_field.items():
            if len(labels) > 1:
                title = _("Identifies the row at its source") if name == KEY else _(self.owner.kind.by_name[name].title)
                _say(self.problem, _("“{columns}” all go into “{field}”: keep one.").format(
                    columns="”, “".join(labels), field=title))
                return False
        if not [name for name in choices.values() if name and name != KEY]:
            _say(self.problem, _("Choose a field for at least one column."))
            return False
        mapping = self.owner.mapping
        mapping.columns = {label: ("" if name == KEY else name) for label, name in choices.items()}
        mapping.key_column = next((label for label, name in choices.items() if name == KEY), None)
        if mapping.key_column:
            del mapping.columns[mapping.key_column]
        try:
            self.owner.layout = analyse(self.owner.workbook, self.owner.kind, mapping)
        except FieldappError as error:
            _say(self.problem, str(error))
            return False
        _say(self.problem, "")
        return True


class ValuesPage(QWizardPage):
    """4. The file's values that match no code of their list: a code chosen for each, or refused.
    The whole file is read for them in a worker (a 100 000-row file takes a while)."""

    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.owner = wizard
        self.rows: list[tuple[str, str, QComboBox]] = []
        self.worker: Worker | None = None
        self._token = None
        self.read = False
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.table = _table(["", "", ""])
        self.problem = error_label(hidden=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)

    def retranslate(self) -> None:
        self.setTitle(_("Values"))
        self.table.setHorizontalHeaderLabels([_("Field"), _("Value in the file"), _("Code to record")])

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        owner = self.owner
        kind = owner.kind
        unmatched_mapping = Mapping(kind.name, sheet=owner.mapping.sheet, columns=owner.mapping.columns,
                                    key_column=owner.mapping.key_column, day_first=owner.mapping.day_first)
        workbook, layout = owner.workbook, owner.layout

        def work(report, is_cancelled):
            def progress(done: int, total: int) -> None:
                report(done, total)
                if is_cancelled():
                    raise ImportCancelled(_("Import cancelled."))

            return distinct_values(workbook, layout, kind, unmatched_mapping, progress=progress)

        self.stop()
        self.read = False
        self.rows = []
        self.table.setRowCount(0)
        self.table.hide()
        _say(self.problem, "")
        self.intro.setText(_("Reading the values of the file…"))
        self.progress.show()
        # A reading stopped by Back may still deliver its result: only the current one is shown.
        token = self._token = object()

        def current(callback):
            return lambda *args: callback(*args) if self._token is token else None

        self.worker = self.owner.context.jobs.start(work, on_done=current(self._show), on_error=current(self._failed),
                                                    on_progress=current(self._progressed),
                                                    on_cancelled=current(self._finish))
        self.completeChanged.emit()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt override
        self.stop()

    def stop(self) -> None:
        """Stop a reading under way (Back, lock, close) and wait for its thread."""
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait(10_000)
            self.worker = None
            self._token = None
            self.progress.hide()

    def _progressed(self, done: int, _total: int) -> None:
        self.intro.setText(ngettext("Reading the values of the file… {n} row read",
                                    "Reading the values of the file… {n} rows read", done).format(
                                        n=format_number(done)))

    def _finish(self) -> None:
        self.worker = None
        self.progress.hide()
        self.completeChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self._finish()
        self.intro.clear()
        _say(self.problem, error_message(error))

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.worker is None and self.read

    def _show(self, unmatched: dict[str, list[str]]) -> None:
        kind, before = self.owner.kind, self.owner.mapping.values
        self.read = True
        self._finish()
        self.rows = []
        self.table.setRowCount(sum(len(values) for values in unmatched.values()))
        row = 0
        for name in sorted(unmatched, key=lambda n: [spec.name for spec in kind.fields].index(n)):
            spec = kind.by_name[name]
            for value in unmatched[name]:
                combo = QComboBox()
                combo.addItem(_("— refuse these rows —"), "")
                for code, label in spec.vocabulary.choices():
                    combo.addItem(label, code)
                combo.setCurrentIndex(max(0, combo.findData(before.get(name, {}).get(value, ""))))
                combo.setAccessibleName(value)
                self.table.setItem(row, 0, _item(_(spec.title)))
                self.table.setItem(row, 1, _item(value))
                self.table.setCellWidget(row, 2, combo)
                self.rows.append((name, value, combo))
                row += 1
        self.table.resizeColumnsToContents()
        self.table.setVisible(bool(self.rows))
        self.intro.setText(_("These values match no code of their list, not even through a French or English "
                             "label or a usual spelling. Choose the code each one means, or leave the rows that "
                             "hold it refused: nothing is guessed.") if self.rows else
                           _("Every value of the file matches a code of its list."))

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        values: dict[str, dict[str, str]] = {}
        for name, value, combo in self.rows:
            if combo.currentData():
                values.setdefault(name, {})[value] = combo.currentData()
        self.owner.mapping.values = values
        return True


class _RunPage(QWizardPage):
    """A page whose work runs in a worker, with a progress bar."""

    DRY_RUN = True

    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.owner = wizard
        self.worker: Worker | None = None
        self.report = None
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)

    def start(self) -> None:
        self.report = None
        self.progress.setRange(0, 0)
        self.progress.show()
        self.worker = self.owner.context.jobs.start(_work(self.owner, self.DRY_RUN), on_done=self._done,
                                                    on_error=self._failed, on_progress=self._progressed,
                                                    on_cancelled=self._cancelled)
        self.completeChanged.emit()

    def stop(self) -> None:
        """Cancel a run under way and wait for its transaction to end (rolled back)."""
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait(10_000)

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(min(1000, int(1000 * done / total)))

    def _finish(self) -> None:
        self.worker = None
        self.progress.hide()
        self.completeChanged.emit()

    def _done(self, report) -> None:
        self.report = report
        self._finish()

    def _failed(self, error: BaseException) -> None:
        self._finish()
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(_("Nothing was imported. {reason}").format(reason=error_message(error)))

    def _cancelled(self) -> None:
        self._finish()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.worker is None and self.report is not None


class DryRunPage(_RunPage):
    """5. The dry run: what the import will do, row by row, before anything is written."""

    def __init__(self, wizard: "ImportWizard"):
        super().__init__(wizard)
        self.setCommitPage(True)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.table = _table(["", "", "", ""])
        self.save_refused = QPushButton()
        self.save_refused.clicked.connect(self.choose_refused_file)
        self.save_mapping = QPushButton()
        self.save_mapping.clicked.connect(self.choose_mapping_file)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_refused)
        buttons.addWidget(self.save_mapping)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def retranslate(self) -> None:
        self.setTitle(_("Dry run"))
        self.table.setHorizontalHeaderLabels([_("Line"), _("Column"), _("Value"), _("Why refused")])
        self.save_refused.setText(_("Save the &refused rows…"))
        self.save_mapping.setText(_("Save this &mapping…"))

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.counts.setText(_("Reading the whole file as the import will, without writing anything…"))
        self.status.clear()
        self.status.setStyleSheet("")
        self.table.setRowCount(0)
        self.table.hide()
        self.save_refused.setEnabled(False)
        self.start()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt override
        self.stop()

    def _done(self, report) -> None:
        super()._done(report)
        self.counts.setText(report.counts())
        self.table.setRowCount(len(report.problems))
        for row, problem in enumerate(report.problems):
            for column, text in enumerate((format_number(problem.line), problem.column, problem.value,
                                           problem.reason)):
                self.table.setItem(row, column, _item(text))
        self.table.resizeColumnsToContents()
        self.table.setVisible(bool(report.problems))
        notes = [_("line {line}: skipped ({reason})").format(line=line, reason=_(why)) for line, why in report.skipped]
        if report.refused:
            notes.append(_("The import will write the other rows. Save the refused rows to correct them, then "
                           "import that file."))
        self.status.setText("\n".join(notes))
        self.save_refused.setEnabled(bool(report.refused_rows))

    def _cancelled(self) -> None:
        super()._cancelled()
        self.counts.setText(_("Dry run stopped."))

    def choose_refused_file(self) -> None:
        if self.report is None:
            return
        suggested = Path(self.owner.path).with_name(_("{name} - refused.csv").format(name=Path(self.owner.path).stem))
        path, _filter = QFileDialog.getSaveFileName(self, _("Save the refused rows"), str(suggested),
                                                    _("CSV files (*.csv)"))
        if path:
            self._save(lambda: write_refused(self.owner.context.session, self.report, Path(path)),
                       _("Refused rows written to {file}.").format(file=path))

    def choose_mapping_file(self) -> None:
        suggested = Path(self.owner.path).with_name(_("{name} - mapping.json").format(name=Path(self.owner.path).stem))
        path, _filter = QFileDialog.getSaveFileName(self, _("Save this mapping"), str(suggested),
                                                    _("Import mappings (*.json)"))
        if path:
            self._save(lambda: save_mapping(self.owner.mapping, Path(path)), _(
                "Mapping written to {file}. The command line reads it: fieldapp import {kind} FILE --mapping "
                "{file}").format(file=path, kind=self.owner.kind.name))

    def _save(self, write, message: str) -> None:
        try:
            write()
        except (OSError, FieldappError) as error:
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(_("Nothing was saved: {reason}").format(reason=getattr(error, "strerror", None) or
                                                                        error))
            return
        self.status.setStyleSheet("")
        self.status.setText(message)


class ImportPage(_RunPage):
    """6. The import, one transaction, with progress and Cancel."""

    DRY_RUN = False

    def __init__(self, wizard: "ImportWizard"):
        super().__init__(wizard)
        self.cancel = QPushButton()
        self.cancel.clicked.connect(self.cancel_import)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.ended = False

    def retranslate(self) -> None:
        self.setTitle(_("Import"))
        self.cancel.setText(_("Cancel the import"))

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.ended = False
        self.summary.setText(_("Importing {file}…").format(file=Path(self.owner.path).name))
        self.status.clear()
        self.cancel.show()
        self.cancel.setEnabled(True)
        self.start()

    def cancel_import(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.cancel.setEnabled(False)
            self.summary.setText(_("Cancelling…"))

    def _finish(self) -> None:
        super()._finish()
        self.ended = True
        self.cancel.hide()
        self.completeChanged.emit()

    def _done(self, report) -> None:
        super()._done(report)
        self.summary.setStyleSheet("color: #1b5e20; font-weight: bold;")
        self.summary.setText(_("{file}: {counts}").format(file=report.file, counts=report.counts()))
        self.owner.imported(report)

    def _failed(self, error: BaseException) -> None:
        super()._failed(error)
        self.summary.clear()

    def _cancelled(self) -> None:
        super()._cancelled()
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText(_("Import cancelled: nothing was written."))

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.ended


class ImportWizard(QWizard):
    """The six steps; `mapping` holds every choice, `layout` the engine's reading of the file."""

    def __init__(self, context, parent=None):
        super().__init__(parent)
        self.context = context
        self.kind = KINDS["providers"]
        self.workbook: Workbook | None = None
        self.sheets: list[str] = []
        self.mapping = Mapping(self.kind.name)
        self.layout = None
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.kind_page, self.sheet_page = KindFilePage(self), SheetPage(self)
        self.columns_page, self.values_page = ColumnsPage(self), ValuesPage(self)
        self.dry_run_page, self.import_page = DryRunPage(self), ImportPage(self)
        for number, page in enumerate((self.kind_page, self.sheet_page, self.columns_page, self.values_page,
                                       self.dry_run_page, self.import_page)):
            self.setPage(number, page)
        context.language_changed.connect(self.retranslate)
        context.locked.connect(self._locked)
        self.retranslate()
        fit_to_screen(self, 900, 560)

    @property
    def path(self) -> Path:
        return self.workbook.path

    def retranslate(self) -> None:
        self.setWindowTitle(_("Import a spreadsheet"))
        self.setButtonText(QWizard.WizardButton.CommitButton, _("&Import"))
        for page_id in self.pageIds():
            self.page(page_id).retranslate()

    def set_file(self, kind, workbook: Workbook, sheets: list[str]) -> None:
        """A new kind or file starts a new mapping; the same one keeps what was chosen."""
        if self.workbook is None or kind is not self.kind or workbook.path != self.workbook.path:
            self.mapping = Mapping(kind.name, sheet=sheets[0] if workbook.is_xlsx and sheets else None)
        self.kind, self.workbook, self.sheets = kind, workbook, sheets

    def imported(self, report) -> None:
        self.context.records_changed.emit(report.change())

    def _stop_workers(self) -> None:
        self.values_page.stop()
        self.dry_run_page.stop()
        self.import_page.stop()

    def _locked(self) -> None:
        # The import is one transaction on the session's connection: let it roll back before
        # the lock closes that connection; then nothing of the file stays on screen.
        self._stop_workers()
        self.columns_page.table.setRowCount(0)
        self.values_page.table.setRowCount(0)
        self.dry_run_page.table.setRowCount(0)
        QWizard.done(self, QWizard.DialogCode.Rejected)

    def reject(self) -> None:
        running = self.import_page.worker is not None
        self._stop_workers()
        if running:
            return  # the page tells that the import was cancelled; Close then closes
        super().reject()


def open_import_wizard(context, parent) -> ImportWizard:
    wizard = ImportWizard(context, parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.setWindowModality(Qt.WindowModality.WindowModal)
    wizard.show()
    return wizard
