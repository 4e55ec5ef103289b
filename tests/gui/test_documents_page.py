"""The Documents page: save a sheet and an export where the user chooses, print through Qt's
preview, every one audited; the vault locked leaves nothing in the page."""

from __future__ import annotations

import pytest
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog

from tests.documents_support import open_filled_vault, pdf_pages
from fieldapp.documents.pathway_sheet import build_pathway_sheet
from fieldapp.gui.documents_page import EXPORT, SHEET, DocumentsPage, paint_pdf
from fieldapp.gui.workers import Worker


@pytest.fixture
def filled(template_vault, tmp_path):
    opened = open_filled_vault(template_vault, tmp_path, records=40)
    yield opened
    opened.close()


@pytest.fixture
def page(qtbot, context, filled):
    widget = DocumentsPage(context)
    qtbot.addWidget(widget)
    context.set_session(filled)
    widget.show()
    return widget


def finish_work(qtbot):
    qtbot.waitUntil(lambda: not Worker._running, timeout=30_000)


def choose(page, document: str) -> None:
    page.document.setCurrentIndex(page.document.findData(document))


def test_save_a_sheet_and_an_export_where_the_user_chooses(page, qtbot, tmp_path, monkeypatch, filled):
    choose(page, SHEET)
    page.area.set_pcode("CD6109")
    page.language.setCurrentIndex(page.language.findData("en+fr"))
    target = tmp_path / "chosen" / "beni.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kw: (str(target), ""))
    page.save()
    finish_work(qtbot)
    assert target.read_bytes().startswith(b"%PDF") and str(target) in page.note.text()
    assert filled.audit.entries(limit=1)[0].record_type == "pathway_sheet"

    choose(page, EXPORT)
    assert not page.preview_button.isVisible() and page.hxl.isVisible()
    page.kind.setCurrentIndex(page.kind.findData("referrals"))
    page.format.setCurrentIndex(page.format.findData("csv"))
    page.area.clear()
    target = tmp_path / "chosen" / "referrals.csv"
    page.save()
    finish_work(qtbot)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    entry = filled.audit.entries(limit=1)[0]
    assert (entry.action, entry.record_type) == ("export", "referrals")


def test_print_goes_through_the_preview_and_is_audited(page, qtbot, monkeypatch, filled):
    choose(page, SHEET)
    page.area.set_pcode("CD61")

    def accept(dialog):
        printer = QPrinter()
        dialog.paintRequested.emit(printer)
        return QPrintPreviewDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintPreviewDialog, "exec", accept)
    before = filled.audit.count()
    page.preview()
    finish_work(qtbot)
    qtbot.waitUntil(lambda: filled.audit.count() == before + 1, timeout=10_000)
    entry = filled.audit.entries(limit=1)[0]
    assert (entry.action, entry.record_type, entry.record_id) == ("print", "pathway_sheet", "CD61")


def test_printed_pages_match_the_pdf(filled, tmp_path):
    pdf = build_pathway_sheet(filled, "CD", "en")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert paint_pdf(printer, pdf) == pdf_pages(pdf, tmp_path) >= 1  # the whole country: two pages at 8 pt
    assert (tmp_path / "printed.pdf").stat().st_size > 10_000


def test_a_sheet_without_area_says_so_and_locking_empties_the_page(page, qtbot, monkeypatch, context):
    messages = []
    monkeypatch.setattr("fieldapp.gui.documents_page.show_error",
                        lambda parent, title, error: messages.append(str(error)))
    choose(page, SHEET)
    page.save()
    assert messages and "area" in messages[0]
    page.referral.setText("BNI-2026-0001")
    page.area.set_pcode("CD61")
    context.drop_session()
    assert page.referral.text() == "" and page.area.pcode() == "" and page.contact.text() == ""
