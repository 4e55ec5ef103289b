"""The Documents page: save a sheet and an export where the user chooses, print through Qt's
preview, every one audited; the vault locked leaves nothing in the page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
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


def test_a_french_session_starts_in_french_and_each_user_finds_their_last_choices(
        qtbot, context, template_vault, tmp_path, monkeypatch):
    from fieldapp.gui.qt_i18n import apply_language
    from fieldapp.gui.documents_page import REPORT
    from fieldapp.store.vault import Vault
    from tests.conftest import USER

    apply_language("fr")  # the GUI fixtures put English back afterwards
    _source, recovery_key = template_vault
    first = open_filled_vault(template_vault, tmp_path, records=20)
    path = first.vault.path
    widget = DocumentsPage(context)
    qtbot.addWidget(widget)
    context.set_session(first)
    widget.show()
    assert widget.title_label.isVisible() and widget.title_label.text() == "Documents"
    assert widget.language.currentText() == "Français"  # the session's language, not English

    # A report on Nord-Kivu in both languages, chosen with the keyboard.
    widget.document.setFocus()
    qtbot.keyClicks(widget.document, "Rapport")
    assert widget.document.currentData() == REPORT
    qtbot.keyClicks(widget.area.edit, "nord-ki")
    qtbot.waitUntil(lambda: bool(widget.area._results), timeout=3000)
    qtbot.keyClick(widget.area.edit, Qt.Key.Key_Return)
    assert widget.area.pcode() == "CD61"
    widget.language.setFocus()
    qtbot.keyClicks(widget.language, "Bilingue")  # « Bilingue (français / anglais) » in a French session
    assert widget.language.currentData() == "en+fr"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kw: (str(tmp_path / "report.pdf"), ""))
    qtbot.mouseClick(widget.save_button, Qt.MouseButton.LeftButton)
    finish_work(qtbot)
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")

    context.drop_session()
    first.close()
    assert widget.area.pcode() == "" and widget.document.currentData() != REPORT
    again = Vault(path).unlock_with_recovery(recovery_key, USER)
    context.set_session(again)
    assert (widget.document.currentData(), widget.area.pcode(), widget.language.currentData()) == (
        REPORT, "CD61", "en+fr")
    assert widget.area.edit.text() == "Nord-Kivu"
    context.drop_session()
    again.close()

    # Another user of the same vault: the defaults, in the session's language.
    other = Vault(path).unlock_with_recovery(recovery_key, "bintou")
    context.set_session(other)
    assert (widget.document.currentData(), widget.area.pcode(), widget.language.currentData()) == (
        SHEET, "", "fr")
    context.drop_session()
    other.close()


def test_sharing_statistics_from_the_page_in_french_as_pdf_and_xlsx(qtbot, context, filled, tmp_path, monkeypatch):
    import openpyxl

    from fieldapp.gui.documents_page import SHARING
    from fieldapp.gui.qt_i18n import apply_language
    from tests.documents_support import pdf_text

    apply_language("fr")  # the GUI fixtures put English back afterwards
    widget = DocumentsPage(context)
    qtbot.addWidget(widget)
    context.set_session(filled)
    widget.show()
    today = date.today()
    assert widget.date_from.value() == today - timedelta(days=364)  # the page's default: a year back
    widget.document.setFocus()
    qtbot.keyClicks(widget.document, "Statistiques")
    assert widget.document.currentData() == SHARING
    assert widget.date_from.isVisible() and widget.area.isVisible() and not widget.kind.isVisible()
    assert "«\u00a0<5\u00a0»" in widget.note.text()
    # A year back from today is 13 calendar months: the period starts at the first month that fits.
    months = today.year * 12 + today.month - 1 - 11
    first = date(months // 12, months % 12 + 1, 1)
    assert widget.date_from.value() == first and widget.date_to.value() == today

    for name in ("partage.pdf", "partage.xlsx"):
        target = tmp_path / name
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, target=target, **kw: (str(target), ""))
        qtbot.mouseClick(widget.save_button, Qt.MouseButton.LeftButton)
        finish_work(qtbot)
        qtbot.waitUntil(lambda target=target: str(target) in widget.note.text(), timeout=10_000)
    text = pdf_text((tmp_path / "partage.pdf").read_bytes(), tmp_path)
    assert "Statistiques de partage d’informations sur les VBG" in text and "<5" in text
    assert "Bureau" not in text and "BNI" not in text  # no office named
    assert openpyxl.load_workbook(tmp_path / "partage.xlsx").sheetnames
    entries = [e for e in filled.audit.entries(limit=5) if e.record_type == "sharing_stats"]
    assert sorted((e.action, e.detail["format"], e.detail["from"], e.detail["to"]) for e in entries) == [
        ("export", fmt, first.isoformat(), today.isoformat()) for fmt in ("pdf", "xlsx")]

    # Printed through the preview, and audited as a print.
    def accept(dialog):
        dialog.paintRequested.emit(QPrinter())
        return QPrintPreviewDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintPreviewDialog, "exec", accept)
    before = filled.audit.count()
    qtbot.mouseClick(widget.preview_button, Qt.MouseButton.LeftButton)
    finish_work(qtbot)
    qtbot.waitUntil(lambda: filled.audit.count() == before + 1, timeout=20_000)
    entry = filled.audit.entries(limit=1)[0]
    assert (entry.action, entry.record_type) == ("print", "sharing_stats")
    context.drop_session()
