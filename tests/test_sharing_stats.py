"""The information-sharing statistics: consented referrals only, figures under 5 printed "<5",
no office or provider named, read back with pdftotext and openpyxl as the GBV coordination would."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timezone

import openpyxl
import pytest

from tests.conftest import PASSPHRASE, USER
from tests.documents_support import pdf_text
from fieldapp.cli import main
from fieldapp.documents.common import DocumentError
from fieldapp.documents.sharing_stats import build_sharing_pdf, build_sharing_xlsx
from fieldapp.domain.records import Provider, Referral, ReferralService
from fieldapp.ops.sharing_stats import make_sharing_stats
from fieldapp.store.vault import Vault

JAN, FEB = datetime(2026, 1, 12, 9, tzinfo=timezone.utc), datetime(2026, 2, 9, 9, tzinfo=timezone.utc)
PROVIDER = "Hôpital Général de Référence Kyondo"


def _referral(session, reported, incident_type, consent=True, sex="female", age="18-59"):
    referral = Referral(survivor_code=session.referrals.next_survivor_code("BNI", 2026), reported_at=reported,
                        incident_date=reported.date(), incident_type=incident_type, sex=sex, age_group=age,
                        entry_point="self", consent_referral=True, consent_reporting=consent,
                        location_pcode="CD6109", consent_by="survivor")
    session.referrals.create(referral)
    return referral


@pytest.fixture
def filled(session):
    provider = Provider(name=PROVIDER, sectors=["health"], location_pcode="CD6109")
    session.providers.create(provider)
    for _ in range(7):
        referral = _referral(session, JAN, "rape")
        session.services.create(ReferralService(referral_id=referral.id, sector="health", provider_id=provider.id,
                                                status="referred", referred_at=JAN))
    for _ in range(3):
        _referral(session, JAN, "sexual_assault")
    for _ in range(6):
        _referral(session, FEB, "rape")
    for _ in range(8):
        _referral(session, FEB, "sexual_assault")
    for _ in range(20):  # no consent to reporting: in no figure
        _referral(session, JAN, "rape", consent=False)
    return session


def _sheet(data: bytes, name: str) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def test_the_tables_count_consented_referrals_and_print_small_figures_as_under_5(filled):
    rows = _sheet(build_sharing_xlsx(filled, date(2026, 1, 1), date(2026, 2, 28), "", "en"), "incident_types")
    header = rows[2]
    assert header[0] == "Category" and header[-1] == "Total"
    assert header[1] == datetime(2026, 1, 1) and header[2] == datetime(2026, 2, 1), "months are dates"
    by_label = {row[0]: row[1:] for row in rows[3:] if row and row[0]}
    # What a person counting the consented referrals by hand finds (the 20 without consent are in none).
    expected = {"Rape": [7, 6, 13], "Sexual assault": [3, 8, 11], "Total": [10, 14, 24]}
    for label, printed in by_label.items():
        for shown, true in zip(printed, expected.get(label, [0, 0, 0])):
            if true < 5:
                assert shown == "<5", (label, printed)
            else:
                assert shown in (true, "x"), (label, printed)
    # January's 3 sexual assaults would be 11 - 8 from the row total: a second cell of the row is hidden.
    assert by_label["Sexual assault"][0] == "<5" and "x" in by_label["Sexual assault"][1:]
    assert by_label["Total"] == [10, 14, 24], "the totals stay published (30 and 44 would count refusals)"
    assert by_label["Forced marriage"] == ["<5", "<5", "<5"]


def test_the_pdf_shows_under_5_and_names_no_office_or_provider(filled, tmp_path):
    text = pdf_text(build_sharing_pdf(filled, date(2026, 1, 1), date(2026, 2, 28), "", "fr"), tmp_path)
    assert "Statistiques de partage d’informations sur les VBG" in text
    assert "Viol x x 13" in text
    assert "Agression sexuelle <5 x x" in text
    assert "Total 10 14 24" in text
    for secret in ("Beni", "BNI", "Kyondo", USER):
        assert secret not in text


def test_the_xlsx_names_no_office_or_provider(filled):
    data = build_sharing_xlsx(filled, date(2026, 1, 1), date(2026, 2, 28), "", "en+fr")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        everything = " ".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    for secret in ("Beni", "BNI", "Kyondo", USER):
        assert secret not in everything
    services = {row[0]: row[1:] for row in _sheet(data, "services")[3:] if row and row[0]}
    # 7 referred in January, none in February: the row total would give the "<5" away.
    assert services["Medical care / Prise en charge médicale"] == ["x", "<5", "x"]
    assert services["Total"] == ["x", "<5", 7]


def test_a_period_over_twelve_months_is_refused(filled):
    with pytest.raises(DocumentError, match="at most 12 months"):
        build_sharing_pdf(filled, date(2025, 1, 1), date(2026, 2, 28), "", "en")


def test_the_command_writes_the_pdf_and_audits_it(filled, tmp_path, monkeypatch, vault_copy):
    filled.close()
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "out" / "isp.pdf"
    assert main(["--vault", str(vault_copy[0]), "sharing-stats", "--from", "2026-01-01", "--to", "2026-02-28",
                 "--lang", "en", "-o", str(out)]) == 0
    assert "<5" in pdf_text(out.read_bytes(), tmp_path)
    reopened = Vault(vault_copy[0]).unlock_with_recovery(vault_copy[1], USER)
    try:
        assert make_sharing_stats(reopened, date(2026, 1, 1), date(2026, 1, 31), "", "en", "xlsx",
                                  tmp_path / "isp.xlsx").exists()
    finally:
        reopened.close()
