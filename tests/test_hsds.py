"""The directory as Open Referral HSDS tables (docs/DESIGN.md 9): export, import into another vault
equal, merge by stable id, and a partner's tables with their own taxonomy."""

from __future__ import annotations

import csv
import shutil
from datetime import date

from fieldapp.domain.records import Provider
from fieldapp.ops.hsds import export_hsds, import_hsds
from fieldapp.store.vault import Vault

from tests.conftest import USER
from tests.import_support import show, with_gazetteer

FIELDS = ("id", "name", "sectors", "location_pcode", "address", "phones", "opening_hours", "focal_point",
          "free_of_charge", "languages", "eligibility_notes", "last_verified", "active")


def state(session):
    return sorted(tuple(getattr(p, f) for f in FIELDS) for p in session.providers.list())


def test_round_trip_equal_and_merge_by_stable_id(session, template_vault, tmp_path):
    with_gazetteer(session)
    session.providers.create(Provider(name="Hôpital général de Beni", sectors=["health", "psychosocial"],
                                      location_pcode="CD6109", address="Bd Nyamwisi", phones="+243 990 000 001",
                                      opening_hours="24h/24", focal_point="Dr Kahindo", languages="fr, sw",
                                      eligibility_notes="Toutes", last_verified=date(2026, 2, 1)))
    session.providers.create(Provider(name="Clinique juridique", sectors=["legal"], location_pcode="CD6101",
                                      free_of_charge=False, active=False))
    folder = tmp_path / "hsds"
    assert export_hsds(session, folder) == 2
    with (folder / "attribute.csv").open(encoding="utf-8") as handle:
        assert {row["value"] for row in csv.DictReader(handle)} == {"health", "psychosocial", "legal"}
    source, recovery_key = template_vault
    shutil.copytree(source, tmp_path / "other")
    with Vault(tmp_path / "other").unlock_with_recovery(recovery_key, USER) as other:
        with_gazetteer(other)
        dry = import_hsds(other, folder, dry_run=True)
        show(dry)
        assert (dry.created, dry.refused) == (2, 0) and other.providers.count() == 0
        import_hsds(other, folder)
        assert state(other) == state(session)
        assert import_hsds(other, folder).unchanged == 2
        # The partner changes a phone number; importing merges into the same provider.
        phones = (folder / "phone.csv").read_text(encoding="utf-8").replace("+243 990 000 001", "+243 811 111 111")
        (folder / "phone.csv").write_text(phones, encoding="utf-8")
        merged = import_hsds(other, folder)
        show(merged)
        assert (merged.created, merged.updated, merged.unchanged) == (0, 1, 1)
        assert other.providers.count() == 2
        assert {p.phones for p in other.providers.list()} == {"+243 811 111 111", ""}


def test_partner_tables_with_their_own_ids_and_taxonomy(session, tmp_path):
    with_gazetteer(session)
    folder = tmp_path / "partner"
    folder.mkdir()
    (folder / "organization.csv").write_text("id,name\norg-17,Centre Amani\n", encoding="utf-8")
    (folder / "service.csv").write_text("id,organization_id,name,status\nsvc-17,org-17,Écoute,active\n",
                                        encoding="utf-8")
    (folder / "location.csv").write_text("id,organization_id,external_identifier,external_identifier_type\n"
                                         "loc-17,org-17,CD6109,pcode\n", encoding="utf-8")
    (folder / "taxonomy_term.csv").write_text("id,code,name\nt1,PSS,Soutien psychosocial\nt2,FOOD,Food\n",
                                              encoding="utf-8")
    (folder / "attribute.csv").write_text("id,link_id,taxonomy_term_id\na1,svc-17,t1\n", encoding="utf-8")
    report = import_hsds(session, folder)
    show(report)
    assert report.created == 1
    provider = session.providers.list()[0]
    assert (provider.name, provider.sectors, provider.location_pcode) == ("Centre Amani", ["psychosocial"], "CD6109")
    assert import_hsds(session, folder).unchanged == 1
    (folder / "attribute.csv").write_text("id,link_id,taxonomy_term_id\na1,svc-17,t1\na2,svc-17,t2\n", encoding="utf-8")
    refused = import_hsds(session, folder, dry_run=True)
    show(refused)
    assert refused.refused == 1 and refused.unmatched == {"sectors": {"Food"}}
