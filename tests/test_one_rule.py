"""Rules kept once, in domain/, and used everywhere (issue 14): a P-code, and which service
statuses are final, mean the same in a form, a place file, a bundle, Home and the follow-up lists."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from fieldapp.domain import services as service_rules
from fieldapp.domain.gazetteer import parse_pcode_bytes
from fieldapp.domain.records import Place, Referral, ReferralService
from fieldapp.domain.validation import validate
from fieldapp.errors import ImportFileError, ValidationError
from fieldapp.store.convert import record_values
from fieldapp.sync.wire import RecordProblem, decode_line, encode_row

SITE = str(uuid.uuid4())
LONG = "CD" + "1" * 22  # 24 characters: the form and place files took it, bundles refused it


def _form_accepts(pcode: str) -> bool:
    referral = Referral(survivor_code="BNI-2024-0001", incident_type="rape", sex="female", age_group="18-59",
                        location_pcode=pcode, incident_date_precision="unknown",
                        reported_at=datetime.now(timezone.utc) - timedelta(hours=1))
    try:
        validate(referral)
    except ValidationError as error:
        assert set(error.problems) == {"location_pcode"}, error.problems
        return False
    return True


def _place_file_accepts(pcode: str) -> bool:
    raw = f"admin0Pcode,admin0Name_en,admin1Pcode,admin1Name_en\nCD,DR Congo,{pcode},Nord-Kivu\n".encode()
    try:
        parse_pcode_bytes(raw, "places.csv")
    except ImportFileError:
        return False
    return True


def _bundle_accepts(pcode: str) -> bool:
    place = Place(pcode=pcode, level=1, name_en="Nord-Kivu", parent_pcode="CD",
                  hlc=f"000001700000000.000001.{SITE}", origin_site=SITE,
                  updated_at=datetime(2024, 5, 1, tzinfo=timezone.utc))
    try:
        decode_line("places", encode_row("places", record_values(place)), SITE)
    except RecordProblem:
        return False
    return True


@pytest.mark.parametrize("pcode, valid", [("CD61", True), ("CD6101", True), ("COD6101AB", True), (LONG, False),
                                          ("C61", False), ("CD-61", False)])
def test_a_pcode_is_judged_the_same_by_a_form_a_place_file_and_a_bundle(pcode, valid):
    assert (_form_accepts(pcode), _place_file_accepts(pcode), _bundle_accepts(pcode)) == (valid, valid, valid)


def test_a_pcode_with_a_line_break_after_it_is_not_a_pcode():
    assert not _form_accepts("CD61\n")
    assert not _bundle_accepts("CD61\n")


def test_final_statuses_are_those_with_no_way_out():
    assert set(service_rules.FINAL) == {"completed", "declined", "rejected", "unavailable", "cancelled"}
    assert all(not service_rules.allowed_next(status) for status in service_rules.FINAL)


def test_home_lists_the_follow_ups_of_services_not_yet_final(session):
    referral = Referral(survivor_code="BNI-2024-0001", incident_type="physical_assault", sex="female",
                        age_group="18-59", location_pcode="CD61", consent_referral=True, incident_date_precision="unknown",
                        reported_at=datetime.now(timezone.utc) - timedelta(days=2))
    session.referrals.create(referral)
    due = date.today() - timedelta(days=1)
    by_status = {}
    for status in service_rules.TRANSITIONS:
        service = ReferralService(referral_id=referral.id, sector="health", status=status, follow_up_on=due,
                                  reason="full" if status == "rejected" else "")
        session.services.create(service)
        by_status[service.id] = status
    expected = {status for status in service_rules.TRANSITIONS if status not in service_rules.FINAL}
    assert expected == {"pending", "referred", "accepted"}
    on_home = {by_status[item.service_id] for item in session.dashboard.follow_ups(date.today()).items}
    assert on_home == expected


def test_the_conflicts_table_names_a_record_kind_as_the_audit_log_does(session):
    """A conflict kept by a reviewer: its row and its audit entry both say "service"; rows stored
    by the table's name before schema 7 are renamed on upgrade."""
    from fieldapp.store import db
    from fieldapp.store.sync_store import SyncStore
    from fieldapp.sync.merge import keep_winner

    connection = session.connection
    with db.transaction(connection):
        for record_type, record_id in (("referral_services", "s-1"), ("places", "CD61")):
            connection.execute(
                "INSERT INTO sync_conflicts (record_type, record_id, site, hlc, version, differs, detected_at) "
                "VALUES (?, ?, ?, '000001700000000.000001.x', '{}', 1, '2026-01-01')", (record_type, record_id, SITE))
        connection.execute("PRAGMA user_version = 6")
    assert "0007_conflict_kinds.sql" in db.migrate(connection)
    stored = dict(connection.execute("SELECT record_id, record_type FROM sync_conflicts").fetchall())
    assert stored == {"s-1": "service", "CD61": "place"}

    store = SyncStore(connection)
    by_id = {conflict.record_id: conflict for conflict in store.open_conflicts()}
    assert by_id["s-1"].record_type == "referral_services"  # the table, for the merge to read
    keep_winner(session, by_id["s-1"].seq)
    entry = session.audit.entries(limit=1)[0]
    assert (entry.action, entry.record_type, entry.record_id) == ("conflict_kept", "service", "s-1")
    with db.transaction(connection):
        store.put_version("referral_services", "s-2", SITE, "000001700000000.000002.x", {}, True, "2026-01-02", "")
    assert connection.execute("SELECT record_type FROM sync_conflicts WHERE record_id = 's-2'").fetchone()[0] == "service"
