"""Whose edits of a party or commitment travel (sync/mara.py): a field office's edits of a record
another site created stay on its laptop, and the sentence it is told says so; headquarters' edits
travel to every office, so headquarters is told nothing."""

from __future__ import annotations

from fieldapp.ops import mara as ops
from fieldapp.ops.mara_origin import created_elsewhere_by, edits_stay_here_text
from fieldapp.sync.bundle import export_bundle
from fieldapp.sync.importer import import_bundle
from fieldapp.sync.site import HEADQUARTERS
from tests.mara_support import party
from tests.sync_support import enrol_both, make_site


def test_only_a_field_office_editing_another_sites_record_is_told(template_vault, tmp_path):
    hq = make_site(template_vault, tmp_path / "hq", "Siège de Kinshasa", "KIN", HEADQUARTERS)
    beni = make_site(template_vault, tmp_path / "beni", "Bureau de Beni", "BNI")
    enrol_both(beni, hq)
    mission, local = party("Allied Democratic Forces", short_name="ADF"), party("Maï-Maï Kyandenga")
    with hq.open() as session:
        ops.save_party(session, mission)
        down = export_bundle(session, "BNI", tmp_path).path
    with beni.open() as session:
        import_bundle(session, down)
        ops.save_party(session, local)
        assert created_elsewhere_by(session, session.parties.get(mission.id)) == "Siège de Kinshasa"
        assert created_elsewhere_by(session, session.parties.get(local.id)) is None
        assert created_elsewhere_by(session, None) is None  # a new record
        # The edit is kept here and does not go up: what the sentence tells the person.
        edited = session.parties.get(mission.id)
        edited.notes = "seen near Eringeti"
        ops.save_party(session, edited)
        up = export_bundle(session, "KIN", tmp_path)
        assert up.counts.get("parties", 0) == 1  # Beni's own party only
    with hq.open() as session:
        import_bundle(session, up.path)
        assert session.parties.get(mission.id).notes == ""
        assert created_elsewhere_by(session, session.parties.get(local.id)) is None  # headquarters' edits travel
    assert edits_stay_here_text("party", "") == ("Party created by another office: your changes stay on this "
                                                 "computer; ask headquarters to correct the mission's list.")
