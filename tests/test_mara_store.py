"""MARA records in the store: validation messages, one-transaction saves with links and items,
verification history, search and filters, Home queries, audit entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fieldapp.domain import mara
from fieldapp.domain.mara import IncidentLink
from fieldapp.errors import ValidationError
from fieldapp.ops import mara as ops
from fieldapp.core.changes import ListQuery
from tests.mara_support import DAY0, commitment, incident, item, party
from tests.sync_support import alert, referral


@pytest.fixture
def parties(session):
    made = [party("Forces armées de la République démocratique du Congo", short_name="FARDC",
                  party_type="state_armed_forces", listed_since=2012),
            party("Allied Democratic Forces", short_name="ADF"),
            party("Coopérative pour le développement du Congo", short_name="CODECO")]
    for one in made:
        session.parties.create(one)
    return made


def test_incident_validation_names_each_field():
    bad = mara.Incident(incident_code="BNI-2026-1", occurred_on=date(2026, 3, 2), learned_on=date(2026, 3, 1),
                        location_pcode="", victims_girls=-1, share_with_mara=False,
                        perpetrator_parties=["not-a-party"])
    with pytest.raises(ValidationError) as caught:
        mara.validate_incident(bad)
    problems = caught.value.problems
    assert problems["incident_code"].startswith("Use the pattern OFFICE-I-YEAR-NUMBER")
    assert problems["learned_on"] == "The office cannot learn of an incident before it happened."
    assert problems["location_pcode"] == "Choose a place."
    assert problems["violation_types"] == "Choose at least one value."
    assert problems["sources"] == "Choose at least one value."
    assert problems["victims_girls"] == "Enter a whole number of victims (0 or more)."
    assert problems["perpetrator_parties"] == "“not-a-party” is not a party."
    assert problems["share_reason"] == "Write why this incident is kept out of the MARA reporting."


def test_an_incident_needs_at_least_one_victim_and_derives_totals():
    empty = incident(1, ["unidentified"], victims_women=0)
    with pytest.raises(ValidationError) as caught:
        mara.validate_incident(empty)
    assert caught.value.problems == {"victims_women": "Count at least one victim."}
    counted = incident(1, ["unidentified"], victims_girls=2, victims_women=3, victims_unknown=1)
    assert mara.total_victims(counted) == 6
    assert mara.days_to_knowledge(counted) == 2
    assert mara.days_to_knowledge(incident(1, ["unidentified"], occurred_precision="unknown")) is None


def test_french_labels_are_those_of_the_design():
    from fieldapp.i18n import set_language
    set_language("fr")
    assert mara.VIOLATION_TYPE.label("gang_rape") == "Viol collectif"
    assert mara.VIOLATION_TYPE.label("other_comparable_gravity") == \
        "Autre forme de violence sexuelle de gravité comparable"
    assert mara.INCIDENT_CONTEXT.label("checkpoint") == "Barrage / point de contrôle"
    assert mara.INCIDENT_SOURCE.label("un_police") == "Police de l'ONU"
    assert mara.INCIDENT_SOURCE.label("survivor") == "Survivant·e"
    assert mara.INCIDENT_VERIFICATION.label("reported") == "Signalé, non vérifié"
    assert mara.INCIDENT_VERIFICATION.label("verified") == "Vérifié"
    assert mara.COMMITMENT_KIND.label("joint_communique") == "Communiqué conjoint"
    assert mara.ITEM_STATUS.label("not_achieved") == "Non réalisé"


def test_an_incident_is_saved_with_its_links_in_one_transaction(session, parties):
    case = session.referrals.create(referral("BNI", 1)).created[0]
    signal = session.alerts.create(alert(1)).created[0]
    record = incident(1, [parties[1].id])
    changes = ops.save_incident(session, record, [IncidentLink("referral", case), IncidentLink("alert", signal)])
    assert changes[0].created == [record.id]
    assert session.incidents.links_of(record.id) == [IncidentLink("alert", signal), IncidentLink("referral", case)]
    assert session.incidents.linked_to("referral", case) == [record.id]
    # A link to a record that does not exist refuses the whole save: the incident is not changed either.
    stored = session.incidents.get(record.id)
    stored.locality = "Oicha"
    with pytest.raises(ValidationError) as caught:
        ops.save_incident(session, stored, [IncidentLink("referral", "0" * 8 + "-0000-4000-8000-" + "0" * 12)])
    assert caught.value.problems == {"links": "The linked referral no longer exists."}
    assert session.incidents.get(record.id).locality == "Mavivi"
    assert len(session.incidents.links_of(record.id)) == 2


def test_verification_changes_are_dated_with_who(session, parties):
    record = incident(1, [parties[0].id])
    ops.save_incident(session, record)
    stored = session.incidents.get(record.id)
    assert stored.verification == "reported" and stored.verification_history == []
    stored.verification = "under_verification"
    ops.save_incident(session, stored, verification_on=date(2026, 1, 20), verification_note="mission to Oicha")
    stored = session.incidents.get(record.id)
    stored.verification = "verified"
    ops.save_incident(session, stored, verification_on=date(2026, 1, 25))
    history = session.incidents.get(record.id).verification_history
    assert [(h["from"], h["to"], h["on"], h["by"]) for h in history] == [
        ("reported", "under_verification", "2026-01-20", "amina"), ("under_verification", "verified", "2026-01-25", "amina")]
    assert history[0]["note"] == "mission to Oicha"
    actions = [(e.action, e.detail) for e in session.audit.entries(limit=10) if e.record_id == record.id]
    assert ("verification", {"to": "verified"}) in actions
    # The audit log names what changed, never the sensitive text itself.
    assert all("do not share" not in str(entry.detail) for entry in session.audit.entries(limit=50))


def test_search_finds_codes_localities_party_names_and_actions(session, parties):
    ops.save_incident(session, incident(1, [parties[0].id], locality="Béni-Mbau"))
    ops.save_incident(session, incident(2, [parties[1].id], actions_taken="Escorte vers l'hôpital"))
    ops.save_incident(session, incident(3, [parties[2].id, "unidentified"]))

    def codes(text):
        return sorted(i.incident_code[-4:] for i in session.incidents.list(ListQuery(search=text)))

    assert codes("BNI-I-2026-0003") == ["0003"]
    assert codes("beni mbau") == ["0001"]
    assert codes("ADF") == ["0002"]
    assert codes("Allied") == ["0002"]
    assert codes("coopérative") == ["0003"]
    assert codes("hopital") == ["0002"]


def test_list_filters_period_place_violation_party_verification(session, parties):
    ops.save_incident(session, incident(1, [parties[0].id], violation_types=["gang_rape", "sexual_torture"]))
    ops.save_incident(session, incident(40, [parties[1].id], location_pcode="CD5401"))
    unknown_date = incident(41, ["unidentified"], occurred_on=None, occurred_precision="unknown",
                            learned_on=DAY0 + timedelta(days=60))
    ops.save_incident(session, unknown_date)
    third = session.incidents.get(unknown_date.id)
    third.verification = "verified"
    ops.save_incident(session, third)

    def count(**query):
        return session.incidents.count(ListQuery(**query))

    assert count(date_from=DAY0, date_to=DAY0 + timedelta(days=30)) == 1
    assert count(date_from=DAY0 + timedelta(days=59)) == 1  # the date learned stands in for an unknown one
    assert count(pcode_prefix="CD54") == 1
    assert count(filters={"violation_type": "sexual_torture"}) == 1
    assert count(filters={"party": parties[1].id}) == 1
    assert count(filters={"party": "unidentified"}) == 1
    assert count(filters={"verification": "verified"}) == 1
    assert [i.incident_code[-4:] for i in session.incidents.list(ListQuery(sort="occurred_on"))] == ["0041", "0040", "0001"]


def test_codes_are_unique_and_follow_on(session, parties):
    ops.save_incident(session, incident(7, [parties[0].id]))
    assert session.incidents.next_incident_code("BNI", 2026) == "BNI-I-2026-0008"
    with pytest.raises(ValidationError) as caught:
        ops.save_incident(session, incident(7, [parties[0].id]))
    assert caught.value.problems == {"incident_code": "Another incident already uses the code BNI-I-2026-0007."}


def test_awaiting_verification_for_more_than_14_days(session, parties):
    today = date(2026, 3, 1)
    old = incident(1, [parties[0].id], occurred_on=date(2026, 2, 1), learned_on=date(2026, 2, 10))
    recent = incident(2, [parties[0].id], occurred_on=date(2026, 2, 20), learned_on=date(2026, 2, 20))
    done = incident(3, [parties[0].id], occurred_on=date(2026, 2, 1), learned_on=date(2026, 2, 1),
                    verification="verified")
    for one in (old, recent, done):
        ops.save_incident(session, one)
    cutoff = today - timedelta(days=mara.AWAITING_VERIFICATION_DAYS)
    assert [i.id for i in session.incidents.awaiting_verification(cutoff)] == [old.id]


def test_a_commitment_is_saved_with_its_items_in_one_transaction(session, parties):
    plan = commitment(parties[0].id)
    items = [item("Issue a command order forbidding sexual violence", due_on=date(2026, 1, 10)),
             item("Train commanders", due_on=date(2026, 6, 30), status="not_started")]
    changes = ops.save_commitment(session, plan, items)
    assert changes[0].created == [plan.id] and sorted(changes[1].created) == sorted(i.id for i in items)
    assert [i.description for i in session.commitment_items.for_commitment(plan.id)] == [
        "Issue a command order forbidding sexual violence", "Train commanders"]
    assert [i.id for i in session.commitment_items.overdue(date(2026, 2, 1))] == [items[0].id]
    # A bad item refuses the whole save: neither the title change nor the other item is written.
    plan.title = "Changed"
    stored = session.commitment_items.for_commitment(plan.id)
    stored[0].status = "achieved"
    with pytest.raises(ValidationError) as caught:
        ops.save_commitment(session, plan, [stored[0], item("")])
    assert caught.value.problems == {"items[1].description": "Item 2: Write what was promised."}
    assert session.commitments.get(plan.id).title == "Action plan against sexual violence"
    assert session.commitment_items.get(stored[0].id).status == "in_progress"
    # Achieved items are no longer overdue; a removed item disappears with its commitment kept.
    ops.save_commitment(session, plan, [stored[0]], removed_item_ids=[stored[1].id])
    assert session.commitment_items.overdue(date(2026, 12, 1)) == []
    assert [i.id for i in session.commitment_items.for_commitment(plan.id)] == [stored[0].id]
    session.commitments.delete(plan.id)
    assert session.commitment_items.overdue(date(2026, 12, 1)) == []


def test_a_party_named_in_an_incident_cannot_be_deleted_and_names_are_unique(session, parties):
    ops.save_incident(session, incident(1, [parties[1].id]))
    with pytest.raises(ValidationError):
        session.parties.delete(parties[1].id)
    with pytest.raises(ValidationError) as caught:
        ops.save_party(session, party("allied democratic forces"))
    assert caught.value.problems == {"name": "Another party already has the name allied democratic forces."}
    session.parties.delete(parties[2].id)
    assert [p.short_name for p in session.parties.all()] == ["ADF", "FARDC"]


def test_a_tombstoned_incident_leaves_the_lists_and_drops_its_links(session, parties):
    case = session.referrals.create(referral("BNI", 1)).created[0]
    record = incident(1, [parties[0].id])
    ops.save_incident(session, record, [IncidentLink("referral", case)])
    session.incidents.delete(record.id)
    assert session.incidents.count() == 0 and session.incidents.linked_to("referral", case) == []


def test_incident_from_a_referral_prefills_date_place_and_link(session):
    case = referral("BNI", 3, locality="Kalau")
    session.referrals.create(case)
    record, links = ops.incident_from_referral(session, case.id, today=date(2026, 6, 10))
    assert record.occurred_on == case.incident_date and record.location_pcode == "CD6109"
    assert record.locality == "Kalau" and links == [IncidentLink("referral", case.id)]
    assert record.incident_code == "BNI-I-2026-0001"


def test_the_demo_parties_are_listed_since_the_years_of_the_secretary_generals_reports(session):
    # S/2012/33, the first report with the annex asked for by resolution 1960, lists for the DRC
    # the FARDC, the PNC and the FDLR; the demo must not teach advisers wrong years.
    from fieldapp.demo_mara import fill_mara
    fill_mara(session, 5, date(2026, 3, 1))
    listed = {p.short_name: p.listed_since for p in session.parties.all()}
    assert listed["FARDC"] == listed["PNC"] == listed["FDLR"] == 2012
    assert all(year is None or year >= 2012 for year in listed.values())


def test_the_demo_writes_its_mara_texts_in_french_like_the_rest_of_the_demo(session):
    """The demo office is in Beni and its other texts are French (fieldapp/demo.py): an incident's
    actions taken, a commitment, its items and their evidence in English showed on French screens."""
    import re

    from fieldapp.core.changes import ListQuery
    from fieldapp.demo_mara import fill_mara

    fill_mara(session, 200, date(2026, 3, 1))
    incidents = session.incidents.list(ListQuery(limit=500))
    commitments = [c for p in session.parties.all() for c in session.commitments.for_party(p.id)]
    items = [i for c in commitments for i in session.commitment_items.for_commitment(c.id)]
    texts = {i.actions_taken for i in incidents} | {i.share_reason for i in incidents if i.share_reason} | {
        c.title for c in commitments} | {i.description for i in items} | {i.evidence for i in items if i.evidence}
    assert len(incidents) == 200 and len(commitments) == 4 and len(texts) > 15
    english = re.compile(r"\b(the|with|to|for|every|and|against|of)\b", re.IGNORECASE)
    assert [text for text in texts if english.search(text)] == []
    assert "Survivantes référées au centre de santé dans les 72 heures" in texts


def test_no_party_is_listed_before_the_first_annex_of_2012():
    with pytest.raises(ValidationError) as caught:
        mara.validate_party(party("Forces armées de la République démocratique du Congo", listed_since=2010))
    assert caught.value.problems == {"listed_since": "Enter the year of the first listing (2012 or later: the annex "
                                                     "began with the report of January 2012), or leave it empty."}
    mara.validate_party(party("Police nationale congolaise", listed_since=2012))


def test_the_quarterly_report_reads_its_figures_from_an_index_never_the_incident_rows(session, parties):
    """At 100 000 incidents the rows themselves (wide, with their texts) made the report take 6 s;
    every figure query must find all it needs in an index (benchmarks: part mara)."""
    from fieldapp.store.mara_report import mara_figures
    from fieldapp.store.reports import Period
    for n in range(1, 4):
        session.incidents.create(incident(n, [parties[0].id]))
    statements = []
    session.connection.set_trace_callback(statements.append)
    try:
        mara_figures(session.connection, Period(date(2026, 1, 1), date(2026, 3, 31)))
    finally:
        session.connection.set_trace_callback(None)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM incidents i" in s]
    assert len(reads) >= 8
    for statement in reads:
        plan = [step[3] for step in session.connection.execute("EXPLAIN QUERY PLAN " + statement)]
        incident_steps = [step for step in plan if " i " in f" {step} " or step.startswith(("SEARCH i ", "SCAN i "))]
        assert incident_steps and all("COVERING INDEX" in step for step in incident_steps), (statement, plan)


def test_the_list_reads_only_the_columns_it_shows_the_same_rows_in_the_same_order(session, parties):
    """A list page read whole records (notes, history, five JSON lists each): 6x the bare SELECT
    at 100 000 incidents (benchmarks: part mara). Its rows now carry only what the list shows."""
    from fieldapp.store.mara import IncidentRow
    ops.save_incident(session, incident(1, [parties[0].id, parties[1].id], violation_types=["gang_rape", "rape"]))
    ops.save_incident(session, incident(2, ["unidentified"], occurred_on=None, occurred_precision="unknown",
                                        victims_girls=2, victims_unknown=1))
    for n in range(3, 8):
        ops.save_incident(session, incident(n, [parties[2].id], location_pcode="CD5401"))
    query = ListQuery(sort="occurred_on", filters={"violation_type": "rape"}, limit=4, offset=1)
    statements = []
    session.connection.set_trace_callback(statements.append)
    try:
        rows = session.incidents.list_rows(query)
        by_seq = session.incidents.rows_by_seq(session.incidents.list_seqs(query))
    finally:
        session.connection.set_trace_callback(None)
    records = session.incidents.list(query)
    assert [row.id for row in rows] == [record.id for record in records] and len(rows) == 4
    assert sorted(by_seq) == sorted(row.seq for row in rows)
    for row, record in zip(rows, records):
        assert by_seq[row.seq] == row
        for name in IncidentRow.COLUMNS:
            if name != "seq":
                expected = getattr(record, name)
                assert getattr(row, name) == (tuple(expected) if isinstance(expected, list) else expected), name
        assert mara.total_victims(row) == mara.total_victims(record)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM incidents" in s]
    assert reads and not any(word in s for s in reads for word in ("notes", "verification_history", "sources"))


def test_a_page_is_the_same_whatever_its_limit_and_offset(session, parties):
    for n in range(1, 13):
        session.incidents.create(incident(n, [parties[0].id]))
    every = [i.incident_code for i in session.incidents.list(ListQuery(sort="occurred_on", descending=False))]
    for offset, limit in ((0, 5), (5, 5), (10, 5), (12, 5), (3, 0)):
        page = session.incidents.list_rows(ListQuery(sort="occurred_on", descending=False, limit=limit, offset=offset))
        assert [row.incident_code for row in page] == every[offset:offset + limit]


def test_json_lists_decode_as_json_loads_does_or_are_refused_alike():
    import json

    from fieldapp.store.convert import codes_from_text, json_from_text
    for text in ('["rape","gang_rape"]', '[]', ' ["rape"]', '["rape"] ', '["a\\"b","\\u00e9t\\u00e9"]',
                 '[{"from":"reported","to":"verified"}]', '["é"]'):
        assert json_from_text(text) == json.loads(text), text
    for text in ('["rape"] x', '["rape"', '', 'nul'):
        with pytest.raises(ValueError):
            json_from_text(text)
    first = codes_from_text('["rape","gang_rape"]')
    assert first == ("rape", "gang_rape") and codes_from_text('["rape","gang_rape"]') is first
