"""The Documents page: choose a document (pathway sheet, referral slip, period report, spreadsheet
export), its area, dates and language; preview and print it through Qt's print preview, or save it
where the user chooses. PDFs and exports are built in a worker; every save and print is audited.

The language starts as the session's; the last document, language, area, records and format a
user chose are kept in that user's settings, inside the encrypted vault (an area tells where the
user works), and come back at the next unlock."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from fieldapp.documents.common import LANGUAGE_SPECS, DocumentError, language_spec_name, log_print, write_document
from fieldapp.documents.exports import KINDS, export
from fieldapp.domain import services as service_rules, vocab
from fieldapp.gui.page import Page
from fieldapp.gui.widgets.dates import DateInput
from fieldapp.gui.widgets.places import PlacePicker
from fieldapp.gui.widgets.signals import signals_blocked
from fieldapp.gui.widgets.scroll import vertical_scroll
from fieldapp.gui.workers import show_error
from fieldapp.i18n import N_, _, language
from fieldapp.core.changes import ListQuery

SHEET, SLIP, REPORT, EXPORT, MARA = "pathway_sheet", "referral_slip", "report", "export", "mara_report"
SHARING = "sharing_stats"
DOCUMENTS = ((SHEET, N_("Referral-pathway sheet")), (SLIP, N_("Referral slip")), (REPORT, N_("Period report")),
             (SHARING, N_("GBV information-sharing statistics")), (EXPORT, N_("Spreadsheet export")),
             (MARA, N_("MARA quarterly report")))
# Period documents saved as PDF or XLSX, whichever the file chosen ends with.
PDF_OR_XLSX = (MARA, SHARING)
KIND_NAMES = {"referrals": N_("Referrals"), "services": N_("Referral services"), "alerts": N_("Alerts"),
              "trainings": N_("Trainings"), "directory": N_("Directory"), "places": N_("Places"),
              "incidents": N_("CRSV incidents"), "parties": N_("Parties to conflict"),
              "commitments": N_("Commitments and their items")}
PRINT_DPI = 300  # pages are printed as 300 dpi images: sharp on paper and through a photocopier
SETTING_CHOICES = "documents"  # key of the user's settings: the last choices made on this page


def paint_pdf(printer: QPrinter, pdf: bytes) -> int:
    """Draw every page of a PDF on a printer (or a preview), each page fitted to the printable area.
    Returns the number of pages drawn."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    painter = QPainter(printer)
    try:
        for index in range(len(document)):
            if index:
                printer.newPage()
            bitmap = document[index].render(scale=PRINT_DPI / 72)
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_BGR888)
            area = painter.viewport()
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            # Drawn into a target rectangle: the printer scales the 300 dpi page itself, instead of
            # us building a 1200 dpi copy of it (half a gigabyte) in memory.
            painter.drawImage(QRect(area.topLeft(), size), image)
        return len(document)
    finally:
        painter.end()
        document.close()


def print_pdf(parent: QWidget, pdf: bytes, title: str) -> bool:
    """Show Qt's print preview of a PDF; True if the user printed it."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(title)
    dialog.paintRequested.connect(lambda target: paint_pdf(target, pdf))
    return dialog.exec() == QPrintPreviewDialog.DialogCode.Accepted


class FormScrollArea(QScrollArea):
    """Asks for the height of its form, so the buttons under it sit right below the form on a large
    screen; on a small one it gets less, scrolls, and the buttons stay in view."""

    def sizeHint(self):
        hint = super().sizeHint()
        form = self.widget()
        if form is not None:
            width = self.viewport().width()
            height = form.heightForWidth(width) if form.hasHeightForWidth() and width > 0 else -1
            hint.setHeight((height if height > 0 else form.sizeHint().height()) + 2 * self.frameWidth())
        return hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # a wrapped note is taller when narrower


class DocumentsPage(Page):
    TITLE = N_("Documents")

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self._chosen_language = ""  # a language the user chose (remembered), or "": the session's
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.document = QComboBox()
        self.language = QComboBox()
        for spec in LANGUAGE_SPECS:
            self.language.addItem(language_spec_name(spec), spec)
        self.area = PlacePicker(context)
        self.date_from, self.date_to = DateInput(optional=False), DateInput(optional=False)
        self.contact = QLineEdit()
        self.referral = QLineEdit()
        self.services = QListWidget()
        self.services.setMaximumHeight(120)
        self.kind = QComboBox()
        self.format = QComboBox()
        for fmt in ("xlsx", "csv"):
            self.format.addItem(fmt.upper(), fmt)
        self.hxl = QCheckBox()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.preview_button, self.save_button = QPushButton(), QPushButton()
        self.preview_button.clicked.connect(self.preview)
        self.save_button.clicked.connect(self.save)
        self.document.currentIndexChanged.connect(self._document_changed)
        self.referral.editingFinished.connect(self._load_services)

        self.form = QFormLayout()
        self.labels: dict[str, QLabel] = {}
        for key, widget in (("document", self.document), ("language", self.language), ("area", self.area),
                            ("from", self.date_from), ("to", self.date_to), ("referral", self.referral),
                            ("services", self.services), ("kind", self.kind), ("format", self.format),
                            ("hxl", self.hxl), ("contact", self.contact)):
            self.labels[key] = QLabel()
            self.form.addRow(self.labels[key], widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        # The form scrolls (vertically only) on a small screen; the title and buttons stay in view.
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(self.form)
        inner.addWidget(self.note)
        inner.addStretch(1)
        self.scroll_area = vertical_scroll(content, FormScrollArea())
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.scroll_area)
        layout.addLayout(buttons)
        layout.addStretch(1)  # the buttons under the form on a large screen, in view on a small one
        self.language.activated.connect(self._language_chosen)
        self._reset_dates()
        self.retranslate()

    # -- Page hooks ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title_label.setText(_(self.TITLE))
        if not self._chosen_language:
            self._set_language(language())
        current = self.document.currentData()
        with signals_blocked(self.document):
            self.document.clear()
            for code, label in DOCUMENTS:
                self.document.addItem(_(label), code)
            self.document.setCurrentIndex(max(0, self.document.findData(current)))
        kind = self.kind.currentData()
        self.kind.clear()
        for code in KINDS:
            self.kind.addItem(_(KIND_NAMES[code]), code)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        for index in range(self.language.count()):  # "Bilingual (English / French)" follows the language
            self.language.setItemText(index, language_spec_name(self.language.itemData(index)))
        for key, text in (("document", _("Document")), ("language", _("Language")), ("area", _("Area")),
                          ("from", _("From")), ("to", _("To (included)")), ("referral", _("Survivor code")),
                          ("services", _("Services")), ("kind", _("Records")), ("format", _("Format")),
                          ("hxl", _("HXL hashtags")), ("contact", _("Office contact"))):
            self.labels[key].setText(text)
        self.hxl.setText(_("Add a row of HXL hashtags under the header"))
        self.contact.setPlaceholderText(_("Phone and address printed on sheets and slips"))
        self.referral.setPlaceholderText(_("e.g. BNI-2026-0042"))
        self.preview_button.setText(_("Preview and print…"))
        self.save_button.setText(_("Save as…"))
        self.area.retranslate()
        self._document_changed()

    def clear(self) -> None:
        self.area.clear()
        self.referral.clear()
        self.services.clear()
        self.contact.clear()
        self.note.clear()
        # The next user to unlock starts from their own choices, or from the defaults.
        for combo in (self.document, self.kind, self.format):
            combo.setCurrentIndex(0)
        self.hxl.setChecked(False)
        self._chosen_language = ""
        self._set_language(language())
        self._reset_dates()

    def reload(self) -> None:
        if not self.context.is_unlocked:
            return
        session = self.context.session
        self.contact.setText(session.office_contact())
        self._restore_choices(session.user_settings().get(SETTING_CHOICES) or {})

    # -- the user's last choices ---------------------------------------------------------------
    def _set_language(self, spec: str) -> None:
        index = self.language.findData(spec)
        if index >= 0:
            self.language.setCurrentIndex(index)

    def _language_chosen(self, _index: int) -> None:
        self._chosen_language = self.language.currentData()

    def _restore_choices(self, choices: dict) -> None:
        for combo, key in ((self.document, "document"), (self.kind, "kind"), (self.format, "format")):
            index = combo.findData(choices.get(key))
            if index >= 0:
                combo.setCurrentIndex(index)
        spec = choices.get("language")
        self._chosen_language = spec if spec in LANGUAGE_SPECS else ""
        self._set_language(self._chosen_language or language())
        area = choices.get("area")
        if isinstance(area, str) and area and self.context.session.places.get(area) is not None:
            self.area.set_pcode(area)
        self.hxl.setChecked(bool(choices.get("hxl")))

    def _remember_choices(self) -> None:
        """The choices of a document being made, for this user's next visit (one small write)."""
        choices = {"document": self.document.currentData(), "language": self.language.currentData(),
                   "area": self.area.pcode(), "kind": self.kind.currentData(), "format": self.format.currentData(),
                   "hxl": self.hxl.isChecked()}
        session = self.context.session
        settings = session.user_settings()
        if settings.get(SETTING_CHOICES) != choices:
            settings[SETTING_CHOICES] = choices
            session.save_user_settings(settings)
        self._chosen_language = choices["language"]

    # -- form ----------------------------------------------------------------------------------
    def _reset_dates(self) -> None:
        today = date.today()
        self.date_from.set_value(today - timedelta(days=364))
        self.date_to.set_value(today)

    def _document_changed(self) -> None:
        document = self.document.currentData()
        if document == SHARING:
            self._fit_period_to_statistics()
        shown = {SHEET: {"area", "contact"}, SLIP: {"referral", "services", "contact"},
                 REPORT: {"area", "from", "to"}, MARA: {"area", "from", "to"}, SHARING: {"area", "from", "to"},
                 EXPORT: {"kind", "format", "hxl", "area", "from", "to"}}[document]
        for key in ("area", "from", "to", "referral", "services", "kind", "format", "hxl", "contact"):
            self.labels[key].setVisible(key in shown)
            self.form.itemAt(self._row(key), QFormLayout.ItemRole.FieldRole).widget().setVisible(key in shown)
        self.preview_button.setVisible(document != EXPORT)
        self.scroll_area.updateGeometry()  # the form's height changed
        notes = {SHEET: _("One A4 page per area with every active provider of the area and of the areas below it."),
                 SLIP: _("Carries the survivor code only: no name, no notes, nothing of what happened."),
                 REPORT: _("Counts only referrals whose survivor agreed to statistical reporting."),
                 MARA: _("Counts only incidents shared with the MARA reporting and says how many were left out. "
                         "Save it as PDF or XLSX."),
                 SHARING: _("The monthly tables the information-sharing protocol agrees: only referrals whose "
                            "survivor agreed to reporting, no office or provider names, every figure under 5 shown "
                            "as “<5” and another hidden where a total would give it away. Save it as PDF or XLSX."),
                 EXPORT: _("Referral exports hold no notes or free text, and only referrals with consent to "
                           "reporting.")}
        self.note.setText(notes[document])

    def _fit_period_to_statistics(self) -> None:
        """The statistics hold at most MAX_MONTHS months: a longer period (the page starts with a
        year back from today, 13 calendar months) starts at the first month that fits."""
        from fieldapp.documents.sharing_stats import MAX_MONTHS

        start, end = self.date_from.value(), self.date_to.value()
        if start is None or end is None or (end.year - start.year) * 12 + end.month - start.month < MAX_MONTHS:
            return
        months = end.year * 12 + end.month - 1 - (MAX_MONTHS - 1)
        self.date_from.set_value(date(months // 12, months % 12 + 1, 1))

    def _row(self, key: str) -> int:
        row, _role = self.form.getWidgetPosition(self.labels[key])
        return row

    def _load_services(self) -> None:
        self.services.clear()
        code = self.referral.text().strip()
        if not code or not self.context.is_unlocked:
            return
        try:
            referral = self._referral()
        except DocumentError as error:
            self.note.setText(str(error))
            return
        for service in self.context.session.services.for_referral(referral.id):
            label = f"{vocab.SECTOR.label(service.sector)} — {vocab.SERVICE_STATUS.label(service.status)}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, service.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            active = service.status not in service_rules.FINAL
            item.setCheckState(Qt.CheckState.Checked if active else Qt.CheckState.Unchecked)
            self.services.addItem(item)

    def _referral(self):
        from fieldapp.ops.find import find_referral

        return find_referral(self.context.session, self.referral.text().strip())

    def _checked_services(self) -> list[str]:
        return [self.services.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.services.count())
                if self.services.item(i).checkState() == Qt.CheckState.Checked]

    # -- building ------------------------------------------------------------------------------
    def _pdf_job(self):
        """(work function, document code, record id, audit detail, suggested file name) for the chosen PDF."""
        session = self.context.session
        spec = self.language.currentData()
        document = self.document.currentData()
        if self.contact.text().strip() != session.office_contact():
            session.set_office_contact(self.contact.text())
        if document == SHEET:
            from fieldapp.documents.pathway_sheet import build_pathway_sheet

            area = self._required_area()
            return (lambda report, cancelled: build_pathway_sheet(session, area, spec), document, area,
                    {"area": area, "language": spec}, f"pathway-{area}-{spec.replace('+', '-')}.pdf")
        if document == SLIP:
            from fieldapp.documents.referral_slip import build_referral_slip

            referral = self._referral()
            services = self._checked_services()
            return (lambda report, cancelled: build_referral_slip(session, referral.id, spec, services or None),
                    document, referral.id, {"services": services, "language": spec},
                    f"slip-{referral.survivor_code}.pdf")
        start, end, area = self.date_from.value(), self.date_to.value(), self.area.pcode()
        if document == SHARING:
            from fieldapp.documents.sharing_stats import build_sharing_pdf

            return (lambda report, cancelled: build_sharing_pdf(session, start, end, area, spec), document, "",
                    {"from": start.isoformat(), "to": end.isoformat(), "area": area, "lang": spec, "format": "pdf"},
                    f"sharing-stats-{start.isoformat()}-{end.isoformat()}.pdf")
        if document == MARA:
            from fieldapp.documents.mara_report import build_mara_pdf

            return (lambda report, cancelled: build_mara_pdf(session, start, end, area, spec, report), document, "",
                    {"from": start.isoformat(), "to": end.isoformat(), "area": area, "lang": spec, "format": "pdf"},
                    f"mara-{start.isoformat()}-{end.isoformat()}.pdf")
        from fieldapp.documents.report import build_report

        return (lambda report, cancelled: build_report(session, start, end, area, spec, report), document, "",
                {"from": start.isoformat(), "to": end.isoformat(), "area": area, "language": spec},
                f"report-{start.isoformat()}-{end.isoformat()}.pdf")

    def _required_area(self) -> str:
        if not self.area.pcode():
            raise DocumentError(self.area.problem() or _("Choose the area of the sheet."))
        return self.area.pcode()

    def preview(self) -> None:
        try:
            work, document, record_id, detail, _name = self._pdf_job()
        except DocumentError as error:
            show_error(self, _("Documents"), error)
            return
        self._remember_choices()

        def done(pdf: bytes) -> None:
            if print_pdf(self, pdf, self.document.currentText()):
                log_print(self.context.session, document, record_id, detail)

        self.context.jobs.run_with_progress(self, _("Preparing the document…"), work, done)

    def save(self) -> None:
        if self.document.currentData() == EXPORT:
            self._save_export()
            return
        if self.document.currentData() in PDF_OR_XLSX:
            self._save_pdf_or_xlsx(self.document.currentData())
            return
        try:
            work, document, record_id, detail, name = self._pdf_job()
        except DocumentError as error:
            show_error(self, _("Documents"), error)
            return
        self._remember_choices()
        path, _filter = QFileDialog.getSaveFileName(self, _("Save the document"), str(Path.home() / name),
                                                    _("PDF documents (*.pdf)"))
        if not path:
            return
        session = self.context.session

        def build_and_write(report, cancelled):
            return write_document(session, path, work(report, cancelled), document, record_id, detail)

        self.context.jobs.run_with_progress(self, _("Preparing the document…"), build_and_write,
                                            lambda written: self.note.setText(_("Saved to {file}.").format(file=written)))

    def _save_pdf_or_xlsx(self, document: str) -> None:
        """The MARA report (ops.mara) or the sharing statistics (ops.sharing_stats) as PDF or XLSX,
        whichever the file chosen ends with; written and audited in a worker."""
        from fieldapp.ops.mara import make_mara_report
        from fieldapp.ops.sharing_stats import make_sharing_stats

        self._remember_choices()
        start, end, area, spec = self.date_from.value(), self.date_to.value(), self.area.pcode(), \
            self.language.currentData()
        if self.area.problem():
            show_error(self, _("Documents"), DocumentError(self.area.problem()))
            return
        name = f"{'mara' if document == MARA else 'sharing-stats'}-{start.isoformat()}-{end.isoformat()}.pdf"
        path, chosen = QFileDialog.getSaveFileName(self, _("Save the document"), str(Path.home() / name),
                                                   _("PDF documents (*.pdf)") + ";;" + _("Workbooks (*.xlsx)"))
        if not path:
            return
        fmt = "xlsx" if path.lower().endswith(".xlsx") or ("xlsx" in chosen and not path.lower().endswith(".pdf")) \
            else "pdf"
        if not path.lower().endswith("." + fmt):
            path += "." + fmt
        session = self.context.session
        if document == MARA:
            def work(report, cancelled):
                return make_mara_report(session, start, end, area, spec, fmt, path, report)
        else:
            def work(report, cancelled):
                return make_sharing_stats(session, start, end, area, spec, fmt, path)
        self.context.jobs.run_with_progress(self, _("Preparing the document…"), work,
                                            lambda written: self.note.setText(_("Saved to {file}.").format(file=written)))

    def _save_export(self) -> None:
        if self.area.problem():
            show_error(self, _("Documents"), DocumentError(self.area.problem()))
            return
        self._remember_choices()
        kind, fmt, spec = self.kind.currentData(), self.format.currentData(), self.language.currentData()
        query = ListQuery(date_from=self.date_from.value(), date_to=self.date_to.value(),
                          pcode_prefix=self.area.pcode())
        if kind in ("directory", "places", "parties", "commitments"):
            query = ListQuery(pcode_prefix=self.area.pcode()) if kind == "directory" else ListQuery()
        name = f"{kind}-{date.today().isoformat()}.{fmt}"
        path, _filter = QFileDialog.getSaveFileName(self, _("Export"), str(Path.home() / name),
                                                    f"{fmt.upper()} (*.{fmt})")
        if not path:
            return
        session, hxl = self.context.session, self.hxl.isChecked()

        def work(report, cancelled):
            from fieldapp.gui.workers import Cancelled

            def progress(done, total):
                if cancelled():
                    raise Cancelled()
                report(done, total)
            return export(session, kind, path, fmt, spec, hxl, query, progress)

        def done(result) -> None:
            message = _("{rows} rows written to {file}.").format(rows=result.rows, file=result.path)
            if result.left_out:
                message += " " + _("{count} records without consent to reporting were left out.").format(
                    count=result.left_out)
            self.note.setText(message)

        self.context.jobs.run_with_progress(self, _("Exporting…"), work, done)
