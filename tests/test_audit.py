"""The audit log: a hash chain in which any altered or removed entry is found."""

from __future__ import annotations

from datetime import datetime, timezone

from fieldapp.domain.records import Alert


def _some_history(session, n=6):
    for _ in range(n):
        session.alerts.create(Alert(received_at=datetime(2026, 5, 1, tzinfo=timezone.utc), threat_types=["attack"]))


def test_every_change_is_audited_and_the_chain_verifies(session):
    _some_history(session)
    alert = session.alerts.list()[0]
    alert.severity = "critical"
    session.alerts.update(alert)
    session.alerts.delete(alert.id)
    actions = [e.action for e in session.audit.entries(limit=3)]
    assert actions == ["delete", "update", "create"]
    assert session.audit.entries(limit=1)[0].user == "amina"
    assert session.audit.entries(limit=2)[1].detail == {"fields": ["severity"]}
    assert session.audit.verify() == []


def test_an_altered_entry_is_found(session):
    _some_history(session)
    session.connection.execute("UPDATE audit_log SET user = 'someone-else' WHERE seq = 3")
    assert any("entry 3 was altered" in p for p in session.audit.verify())


def test_a_removed_entry_is_found(session):
    _some_history(session)
    session.connection.execute("DELETE FROM audit_log WHERE seq = 4")
    assert any("4 to 4 are missing" in p for p in session.audit.verify())


def test_entries_cut_off_the_end_are_found(session):
    _some_history(session)
    session.connection.execute("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
    assert any("newest audit entries were removed" in p for p in session.audit.verify())


def test_a_rewritten_chain_with_recomputed_hashes_still_breaks_at_the_head(session):
    _some_history(session)
    session.connection.execute("DELETE FROM audit_log WHERE seq > 2")
    assert session.audit.verify() != []
    assert session.verify() != []
