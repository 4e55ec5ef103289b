"""The referral-pathway sheet and the referral slip, read back from the PDF as a reader would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.documents_support import (open_filled_vault, orphaned_punctuation, overlapping_words, pdf_fonts, pdf_page_images, pdf_pages,
                                     pdf_text, pdf_words, provider, words_off_the_page)
from fieldapp.documents.common import DocumentError, write_document
from fieldapp.documents.pathway_sheet import FLOOR, MARGIN, RUNNING_HEAD, build_pathway_sheet
from fieldapp.domain import vocab
from fieldapp.i18n import translate_in
from fieldapp.documents.referral_slip import build_referral_slip
from fieldapp.domain.records import Referral, ReferralService
from fieldapp.core.changes import ListQuery

BENI, BUTEMBO, GOMA = "CD6109", "CD6110", "CD6101"  # Beni and Butembo are in Nord-Kivu (CD61), so is Goma


@pytest.fixture(scope="module")
def session(template_vault, tmp_path_factory):
    opened = open_filled_vault(template_vault, tmp_path_factory.mktemp("sheet"), records=40)
    opened.providers.bulk_create([
        provider("Clinique Łukasz & Șerban <Beni>", BENI, ["health", "legal"]),
        provider("Centre fermé de Beni", BENI, ["health"], active=False),
        provider("Dispensaire d'Aba", "CD5306", ["health"]),  # Haut-Uele: not Nord-Kivu
    ])
    opened.set_office_contact("+243 81 555 0101, base MONUSCO de Beni")
    yield opened
    opened.close()


def test_french_sheet_shows_french_sector_names_and_the_health_box(session, tmp_path):
    text = pdf_text(build_pathway_sheet(session, BENI, "fr"), tmp_path)
    assert "Circuit de référencement" in text
    assert "Prise en charge médicale" in text
    assert "Assistance juridique et judiciaire" in text
    assert "Medical care" not in text
    assert "72 HEURES (PPE)" in text and "120 HEURES (CONTRACEPTION D'URGENCE)" in text
    assert "Beni" in text and "+243 81 555 0101" in text


def test_bilingual_sheet_shows_both_languages(session, tmp_path):
    text = pdf_text(build_pathway_sheet(session, BENI, "en+fr"), tmp_path)
    assert "Medical care / Prise en charge médicale" in text
    assert "HEALTH FIRST: WITHIN 72 HOURS (PEP) / 120 HOURS (EMERGENCY CONTRACEPTION)" in text
    assert "LA SANTÉ D'ABORD" in text
    assert "Listen" in text and "Écouter" in text


def test_sheet_lists_every_active_provider_of_the_area_and_none_from_elsewhere(session, tmp_path):
    area = "CD61"  # Nord-Kivu and every territory below it
    text = pdf_text(build_pathway_sheet(session, area, "en"), tmp_path)
    everyone = session.providers.list(ListQuery())
    inside = [p for p in everyone if p.location_pcode.startswith(area) and p.active]
    outside = [p for p in everyone if not p.location_pcode.startswith(area)]
    inactive = [p for p in everyone if p.location_pcode.startswith(area) and not p.active]
    assert inside and outside and inactive
    for listed in inside:
        assert listed.name in text, listed.name
        assert listed.phones in text
    for absent in outside + inactive:
        assert absent.name not in text, absent.name
    # Typed names keep their letters and their "&" and "<…>" (escaped, not taken as markup).
    assert "Clinique Łukasz & Șerban <Beni>" in text


def test_a_directory_that_fits_at_eight_points_stays_on_one_a4_page_in_every_language(session, tmp_path):
    pcode = "CD6207"  # an area of Sud-Kivu the demo directory does not use
    sectors = [["health", "psychosocial"], ["legal"], ["shelter"], ["livelihoods", "child_protection"]]
    session.providers.bulk_create([
        provider(f"Structure d'accueil {n}", pcode, sectors[n % 4], phones=f"+243 99{n % 10} 100 {n:03d}")
        for n in range(24)])
    for language in ("en", "fr", "en+fr"):
        pdf = build_pathway_sheet(session, pcode, language)
        assert pdf_pages(pdf, tmp_path) == 1, language
        text = pdf_text(pdf, tmp_path)
        assert all(f"Structure d'accueil {n} " in text for n in range(24))
        assert _smallest_text(pdf, tmp_path) >= FLOOR - 0.05, language


def _smallest_text(pdf: bytes, tmp_path) -> float:
    """The height of the smallest word's box: pdftotext gives it as the type size."""
    return min(word.y1 - word.y0 for word in pdf_words(pdf, tmp_path))


def _headings(language: str) -> list[str]:
    codes = language.split("+")
    headings = []
    for sector in vocab.SECTOR.codes:
        for template in ("{heading}", translate_in("en", "{heading} (continued)")):
            parts = [(translate_in(code, "{heading} (continued)") if template != "{heading}" else "{heading}").format(
                heading=vocab.SECTOR.label_in(code, sector)) for code in codes]
            headings.append(" / ".join(dict.fromkeys(parts)))
    return headings


def _column_tops(pdf: bytes, tmp_path) -> list[str]:
    """The first line of text of each column of each page (below the header or running head)."""
    words = pdf_words(pdf, tmp_path)
    tops = []
    for page in sorted({w.page for w in words}):
        on_page = [w for w in words if w.page == page]
        width, height = on_page[0].page_width, on_page[0].page_height
        footer = height - MARGIN - 6 * 2.835 - 2
        if page == 1:  # the columns start below the health box, at the first sector heading
            start = min(w.y0 for w in on_page if w.text in ("Medical", "Prise", "Psychosocial", "Soutien",
                                                            "Safety", "Sécurité", "Legal", "Assistance")) - 1
        else:
            start = MARGIN + RUNNING_HEAD - 2
        for left in (True, False):
            column = [w for w in on_page if start <= w.y0 < footer and (w.x0 < width / 2) == left]
            if column:
                first = min(column, key=lambda w: (w.y0, w.x0))
                tops.append(" ".join(w.text for w in column if w.line == first.line))
    return tops


@pytest.mark.parametrize("language", ["en", "fr", "en+fr"])
def test_nord_kivu_sheet_survives_a_photocopy(session, tmp_path, language):
    """The demo directory of Nord-Kivu: nothing below 8 pt, every column of every page starts under
    a sector heading (repeated as "… (continued)" when a sector runs on), nothing printed over
    anything, nothing in the copier's lost edge, every font embedded; one page when it fits (en, fr),
    two rather than smaller type (en+fr)."""
    pdf = build_pathway_sheet(session, "CD61", language)
    pages = pdf_pages(pdf, tmp_path)
    assert pages == (2 if language == "en+fr" else 1)
    assert _smallest_text(pdf, tmp_path) >= FLOOR - 0.05
    headings = _headings(language)
    tops = _column_tops(pdf, tmp_path)
    assert len(tops) >= 2 * pages - 1
    for top in tops:
        assert any(heading.startswith(top) or top.startswith(heading) for heading in headings), top
    assert overlapping_words(pdf, tmp_path) == []
    assert words_off_the_page(pdf, tmp_path) == []
    assert all(embedded for _name, embedded in pdf_fonts(pdf, tmp_path))
    assert len(pdf_page_images(pdf, tmp_path / "png", "sheet")) == pages


def test_a_longer_directory_flows_onto_a_second_page_without_losing_anyone(session, tmp_path):
    pcode = "CD6208"
    session.providers.bulk_create([provider(f"Antenne mobile {n:03d} de Uvira", pcode, ["health", "psychosocial",
                                                                                      "legal"]) for n in range(60)])
    pdf = build_pathway_sheet(session, pcode, "en+fr")
    assert pdf_pages(pdf, tmp_path) >= 2
    text = pdf_text(pdf, tmp_path)
    assert all(text.count(f"Antenne mobile {n:03d} de Uvira") == 3 for n in range(60))
    assert _smallest_text(pdf, tmp_path) >= FLOOR - 0.05  # more pages, never smaller type
    assert "(continued) / Assistance juridique et judiciaire (suite)" in text
    assert overlapping_words(pdf, tmp_path) == []


def test_sheet_text_is_real_text_in_embedded_fonts(session, tmp_path):
    fonts = pdf_fonts(build_pathway_sheet(session, BENI, "en+fr"), tmp_path)
    assert fonts and all(embedded for _name, embedded in fonts)
    assert all("DejaVu" in name for name, _embedded in fonts)


def test_unknown_area_is_a_clear_error(session):
    with pytest.raises(DocumentError, match="ZZ99"):
        build_pathway_sheet(session, "ZZ99", "en")
    with pytest.raises(DocumentError, match="en, fr or en\\+fr"):
        build_pathway_sheet(session, BENI, "de")


def test_saving_a_sheet_is_audited_and_a_failed_save_leaves_nothing(session, tmp_path):
    pdf = build_pathway_sheet(session, BENI, "en")
    target = write_document(session, tmp_path / "out" / "sheet.pdf", pdf, "pathway_sheet", BENI, {"area": BENI})
    assert target.read_bytes() == pdf
    entry = session.audit.entries(limit=1)[0]
    assert (entry.action, entry.record_type, entry.record_id) == ("export", "pathway_sheet", BENI)
    assert entry.detail["file"] == str(target.resolve())

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    before = session.audit.count()
    with pytest.raises(DocumentError, match="Cannot write"):
        write_document(session, blocker / "sheet.pdf", pdf, "pathway_sheet", BENI)
    assert session.audit.count() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder", "out"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["sheet.pdf"]


def _referral_with_services(session) -> tuple[Referral, list[ReferralService]]:
    reported = session.referrals.list(ListQuery(limit=1))[0].reported_at
    referral = Referral(survivor_code=session.referrals.next_survivor_code("BNI", 2026), incident_type="rape",
                        sex="female", age_group="18-59", entry_point="self", consent_referral=True,
                        consent_reporting=True, location_pcode=BENI, locality="Quartier Mabakanga",
                        notes="She fears the neighbour who attacked her.",
                        reported_at=reported, incident_date=reported.date() - timedelta(days=3))
    session.referrals.create(referral)
    clinic = next(p for p in session.providers.in_area(BENI) if "health" in p.sectors)
    lawyers = next(p for p in session.providers.in_area(BENI) if "legal" in p.sectors)
    services = [ReferralService(referral_id=referral.id, sector="health", provider_id=clinic.id),
                ReferralService(referral_id=referral.id, sector="legal", provider_id=lawyers.id),
                ReferralService(referral_id=referral.id, sector="shelter", provider_text="Maison Sarah")]
    for service in services:
        session.services.create(service)
    return referral, services


def test_referral_slip_names_code_services_and_office_but_nothing_of_what_happened(session, tmp_path):
    referral, services = _referral_with_services(session)
    chosen = [services[0].id, services[1].id]
    text = pdf_text(build_referral_slip(session, referral.id, "fr", chosen), tmp_path)
    assert referral.survivor_code in text
    assert "Prise en charge médicale" in text and "Assistance juridique et judiciaire" in text
    assert "Hébergement sécurisé" not in text and "Maison Sarah" not in text  # not chosen
    assert session.site_name in text and "+243 81 555 0101" in text
    for secret in ("neighbour", "Mabakanga", "Viol", "Rape"):
        assert secret not in text


def test_referral_slip_refuses_a_service_of_another_referral(session):
    referral, _services = _referral_with_services(session)
    other, other_services = _referral_with_services(session)
    with pytest.raises(DocumentError, match=referral.survivor_code):
        build_referral_slip(session, referral.id, "en", [other_services[0].id])


@pytest.mark.parametrize("language", ["en", "fr", "en+fr"])
def test_referral_slip_reads_cleanly(session, tmp_path, language):
    referral, _services = _referral_with_services(session)
    pdf = build_referral_slip(session, referral.id, language)
    assert [name for name, embedded in pdf_fonts(pdf, tmp_path) if not embedded] == []
    assert overlapping_words(pdf, tmp_path) == []
    assert words_off_the_page(pdf, tmp_path) == []
    assert orphaned_punctuation(pdf, tmp_path) == []
    assert len(pdf_page_images(pdf, tmp_path / "png", "slip")) == pdf_pages(pdf, tmp_path)
    if language == "fr":  # pdf_text shows the no-break space before the colon as a space
        assert f"Code de la survivante : {referral.survivor_code}" in pdf_text(pdf, tmp_path)
