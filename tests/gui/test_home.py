"""Home lists what needs action today and opens each record."""

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from fieldapp.domain.records import Alert, Referral, ReferralService
from fieldapp.gui.home import RECORD_ROLE, RED

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def add_referral(session, days_ago=0, incident_type="rape") -> Referral:
    record = Referral(
        survivor_code=session.referrals.next_survivor_code("BNI", NOW.year), reported_at=NOW - timedelta(minutes=5),
        incident_date=(NOW - timedelta(days=days_ago)).date(), incident_type=incident_type, sex="female",
        age_group="18-59", displacement="idp", disability="no", perpetrator_category="unknown",
        entry_point="self", consent_referral=True, consent_reporting=True)
    change = session.referrals.create(record)
    return record, change


def items(tree):
    return [tree.topLevelItem(row) for row in range(tree.topLevelItemCount())]


def test_urgent_referral_shows_hours_left_in_red_and_opens_its_record(qtbot, window, session, context):
    referral, change = add_referral(session)
    context.records_changed.emit(change)
    home = window.pages[0]
    assert window.nav.currentItem().text() == "Home"
    assert home.urgent.tree.isVisible()
    (row,) = items(home.urgent.tree)
    assert row.text(0) == referral.survivor_code
    assert row.text(3).endswith("h left") and row.text(4).endswith("h left")
    pep_hours = int(row.text(3).split()[0])
    assert 48 <= pep_hours <= 72
    assert row.foreground(3).color() == QColor(RED)
    assert row.text(5) == "none recorded yet"
    assert home.urgent.heading.text() == "Survivors inside the health care windows (1)"

    home.urgent.tree.setFocus()
    home.urgent.tree.setCurrentItem(row)
    with qtbot.waitSignal(context.open_record_requested, timeout=1000) as opened:
        qtbot.keyClick(home.urgent.tree, Qt.Key.Key_Return)
    assert opened.args == ["referral", referral.id]


def test_accepted_health_service_takes_the_referral_off_the_urgent_list(window, session, context):
    referral, change = add_referral(session)
    context.records_changed.emit(change)
    home = window.pages[0]
    assert home.urgent.tree.topLevelItemCount() == 1
    context.records_changed.emit(session.services.create(
        ReferralService(referral_id=referral.id, sector="health", status="accepted")))
    assert home.urgent.tree.isHidden() and home.urgent.empty.isVisible()
    assert "No survivor is waiting" in home.urgent.empty.text()


def test_follow_ups_long_open_alerts_and_counts(qtbot, window, session, context):
    referral, _change = add_referral(session, days_ago=10, incident_type="physical_assault")
    service = ReferralService(referral_id=referral.id, sector="legal", status="referred",
                              follow_up_on=(NOW - timedelta(days=3)).date())
    session.services.create(service)
    alert = Alert(received_at=NOW - timedelta(hours=30), channel="radio", source_category="local_authority",
                  threat_types=["abduction"], severity="critical", verification="unverified")
    context.records_changed.emit(session.alerts.create(alert))
    home = window.pages[0]
    (due,) = items(home.follow_ups.tree)
    assert due.text(0).endswith("3 days overdue") and due.text(1) == referral.survivor_code
    assert due.data(0, RECORD_ROLE) == ("referral", referral.id)
    (late,) = items(home.alerts.tree)
    assert late.text(1) == "30 hours" and late.text(2) == "Critical"
    with qtbot.waitSignal(context.open_record_requested, timeout=1000) as opened:
        home.alerts.tree.itemActivated.emit(late, 0)
    assert opened.args == ["alert", alert.id]
    assert home.tiles["referrals"][0].text() == "1"
    assert home.tiles["alerts"][1].text() == "alert (0 responded)"
