"""The recovery sheet read back as a reader sees it: embedded fonts only, nothing printed over
anything, French punctuation never cut from its word."""

from __future__ import annotations

from datetime import date

import pytest

from tests.documents_support import orphaned_punctuation, overlapping_words, pdf_fonts, pdf_page_images
from tests.documents_support import pdf_text, words_off_the_page
from fieldapp import i18n
from fieldapp.documents.recovery_sheet import recovery_sheet_pdf

KEY = "AGE-SECRET-KEY-1" + "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7LQPZRY9X8GF2TVDW0S3JN54KHCE"


@pytest.fixture(params=["en", "fr"])
def language(request):
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


def test_recovery_sheet_reads_cleanly(language, tmp_path):
    pdf = recovery_sheet_pdf("Bureau de Bunia (démo)", "BUN", KEY, date(2026, 12, 1))
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and [name for name, embedded in fonts if not embedded] == []
    assert overlapping_words(pdf, tmp_path) == []
    assert words_off_the_page(pdf, tmp_path) == []
    assert orphaned_punctuation(pdf, tmp_path) == []
    assert len(pdf_page_images(pdf, tmp_path / "png", "recovery")) == 1
    if language == "fr":
        assert "1er décembre 2026" in pdf_text(pdf, tmp_path)
