"""Helpers for the MARA tests: parties, incidents and commitments made with sensible defaults."""

from __future__ import annotations

from datetime import date, timedelta

from fieldapp.domain.mara import Commitment, CommitmentItem, Incident, Party

DAY0 = date(2026, 1, 5)


def party(name: str, **overrides) -> Party:
    values = dict(name=name, short_name=name.split(" ")[0][:10], party_type="non_state_armed_group")
    values.update(overrides)
    return Party(**values)


def incident(n: int, parties: list[str], **overrides) -> Incident:
    occurred = DAY0 + timedelta(days=n)
    values = dict(incident_code=f"BNI-I-2026-{n:04d}", occurred_on=occurred, learned_on=occurred + timedelta(days=2),
                  location_pcode="CD6109", locality="Mavivi", violation_types=["rape"], contexts=["fields_market_road"],
                  victims_women=1, perpetrator_parties=parties, sources=["survivor"],
                  actions_taken="Survivor referred to the health centre", notes="named witness: do not share")
    values.update(overrides)
    return Incident(**values)


def commitment(party_id: str, **overrides) -> Commitment:
    values = dict(party_id=party_id, kind="action_plan", title="Action plan against sexual violence",
                  signed_on=date(2025, 3, 1))
    values.update(overrides)
    return Commitment(**values)


def item(description: str, **overrides) -> CommitmentItem:
    values = dict(description=description, due_on=date(2026, 1, 31), status="in_progress")
    values.update(overrides)
    return CommitmentItem(**values)
