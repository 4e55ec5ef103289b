"""Data files coming in (fieldapp/ops/sync.py): several imported in turn, a refused one stopping
nothing else, and the summary both the Sync page and `fieldapp import-bundle` show. No Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldapp import i18n
from fieldapp.ops.sync import FileImport, ImportSummary, counts_line, import_bundles
from fieldapp.sync.bundle import export_bundle
from fieldapp.sync.importer import ImportResult
from fieldapp.sync.site import HEADQUARTERS
from tests.sync_support import alert, enrol_both, make_site, referral, service, training, vault_state


@pytest.fixture(scope="module")
def offices(template_vault, tmp_path_factory):
    root = tmp_path_factory.mktemp("ops-sync")
    hq = make_site(template_vault, root / "hq", "Headquarters", "HQ", HEADQUARTERS)
    beni = make_site(template_vault, root / "beni", "Beni field office", "BNI")
    enrol_both(beni, hq)
    with beni.open() as session:
        first = referral("BNI", 1)
        session.referrals.create(first)
        session.services.create(service(first.id))
        session.alerts.create(alert(1))
        session.trainings.create(training(1))
        bundle = export_bundle(session, "HQ", root / "out").path
        session.alerts.create(alert(2))
        second = export_bundle(session, "HQ", root / "out").path
    damaged = root / "damaged.fieldbundle"
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    return {"hq": hq, "bundle": bundle, "second": second, "damaged": damaged}


def test_a_refused_file_stops_nothing_and_every_file_gets_its_lines(offices, tmp_path):
    told = []
    with offices["hq"].copy(tmp_path / "hq").open() as session:
        summary = import_bundles(session, [offices["damaged"], offices["bundle"], offices["bundle"]],
                                 on_file=told.append)
        assert session.referrals.count() == 1 and session.services.count() == 1
    name = offices["bundle"].name
    assert summary.lines() == [
        "damaged.fieldbundle: refused, it is damaged or was altered (its encrypted data does not check out).",
        f"{name}: data file 1 from Beni field office imported.",
        "    Referrals: 1 new, 0 updated, 0 unchanged, 0 conflicts",
        "    Referral services: 1 new, 0 updated, 0 unchanged, 0 conflicts",
        "    Alerts: 1 new, 0 updated, 0 unchanged, 0 conflicts",
        "    Trainings: 1 new, 0 updated, 0 unchanged, 0 conflicts",
        "    Parties to conflict: 0 new, 0 updated, 0 unchanged, 0 conflicts",
        "    CRSV incidents: 0 new, 0 updated, 0 unchanged, 0 conflicts",
        "    Commitments: 0 new, 0 updated, 0 unchanged, 0 conflicts",
        "    Commitment items: 0 new, 0 updated, 0 unchanged, 0 conflicts",
        f"{name}: already imported (data file 1 from Beni field office); nothing changed.",
    ]
    assert summary.refused
    assert summary.changed_tables == {"referrals", "referral_services", "alerts", "trainings"}
    assert told == summary.files  # each file told as soon as it is done, in order


def test_only_good_files_is_not_refused_and_a_second_import_changes_nothing(offices, tmp_path):
    with offices["hq"].copy(tmp_path / "hq").open() as session:
        assert not import_bundles(session, [offices["bundle"]]).refused
        before = vault_state(session)
        again = import_bundles(session, [offices["bundle"]])
        assert vault_state(session) == before
    assert not again.refused and again.changed_tables == set()


def test_progress_counts_over_all_the_files(offices, tmp_path):
    seen = []
    with offices["hq"].copy(tmp_path / "hq").open() as session:
        import_bundles(session, [offices["bundle"], offices["second"]], progress=lambda done, total: seen.append(
            (done, total)))
    assert seen and {total for _done, total in seen} == {2000}
    done = [value for value, _total in seen]
    assert done == sorted(done)  # the second file goes on from where the first ended
    assert done[0] <= 1000 < done[-1] == 2000


def test_cancelling_leaves_the_next_files_out(offices, tmp_path):
    stop = []
    with offices["hq"].copy(tmp_path / "hq").open() as session:
        summary = import_bundles(session, [offices["bundle"], offices["damaged"]], is_cancelled=lambda: bool(stop),
                                 on_file=stop.append)
    assert [item.path for item in summary.files] == [offices["bundle"]] and not summary.refused


def test_figures_are_written_the_way_the_reader_s_language_writes_them():
    result = ImportResult(Path("BNI-to-HQ-20260601-0001.fieldbundle"), "site", "Bureau de Beni", 3,
                          counts={"referrals": {"new": 1530, "updated": 2, "unchanged": 0, "conflicts": 1},
                                  "alerts": {"new": 1, "updated": 0, "unchanged": 3, "conflicts": 2}})
    i18n.set_language("fr")
    try:
        lines = ImportSummary([FileImport(result.path, result=result)]).lines()
        counts = counts_line({"referrals": 1530, "alerts": 12})
    finally:
        i18n.set_language("en")
    # Each count agrees with its own word (0 and 1 take the singular in French).
    assert lines[1] == "    Référencements\u00a0: 1\u00a0530 nouveaux, 2 mis à jour, 0 inchangé, 1 conflit"
    assert lines[2] == "    Alertes\u00a0: 1 nouveau, 0 mis à jour, 3 inchangés, 2 conflits"
    assert counts == "Référencements\u00a0: 1\u00a0530, Alertes\u00a0: 12"
