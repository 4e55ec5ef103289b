"""The documents commands of the command line, end to end on a vault opened by passphrase."""

from __future__ import annotations

import pytest

from tests.conftest import PASSPHRASE
from tests.documents_support import open_filled_vault, pdf_text
from fieldapp.cli import main


@pytest.fixture
def vault(template_vault, tmp_path, monkeypatch):
    open_filled_vault(template_vault, tmp_path, records=30).close()
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    return tmp_path / "vault"


def test_pathway_sheet_and_export_commands(vault, tmp_path, capsys):
    sheet = tmp_path / "out" / "beni.pdf"
    assert main(["--vault", str(vault), "pathway-sheet", "--area", "CD6109", "--lang", "fr",
                 "--contact", "+243 81 555 0101", "-o", str(sheet)]) == 0
    text = pdf_text(sheet.read_bytes(), tmp_path)
    assert "Prise en charge médicale" in text and "+243 81 555 0101" in text

    blocker = tmp_path / "blocker"
    blocker.write_text("")
    assert main(["--vault", str(vault), "export", "referrals", "--format", "xlsx", "--lang", "en+fr", "--hxl",
                 "-o", str(blocker / "referrals.xlsx")]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("fieldapp: Cannot write")
    assert blocker.is_file() and not list(tmp_path.rglob("*.part"))
