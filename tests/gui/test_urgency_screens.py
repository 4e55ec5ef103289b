"""The same urgency on every screen: the Referrals list, its detail pane, Home and the form banner
show no PEP / EC countdown for a closed case or once health care is accepted or received."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt

from fieldapp.domain.records import Referral, ReferralService
from fieldapp.gui.forms.referral_form import ReferralForm
from fieldapp.gui.referrals_page import ReferralsPage

NOW = datetime.now(timezone.utc).replace(microsecond=0)
URGENT_COLUMN = 2


def add(session, code: str, status: str = "open", health: str | None = None) -> Referral:
    record = Referral(survivor_code=code, reported_at=NOW - timedelta(minutes=5),
                      incident_date=(NOW - timedelta(hours=20)).date(), incident_type="rape", sex="female",
                      age_group="18-59", consent_referral=True, consent_reporting=True, status=status)
    session.referrals.create(record)
    if health:
        service = ReferralService(referral_id=record.id, sector="health")
        session.services.create(service)
        for step in {"referred": ["referred"], "accepted": ["referred", "accepted"],
                     "completed": ["referred", "accepted", "completed"]}[health]:
            service = session.services.get(service.id)
            service.status = step
            session.services.update(service)
    return record


@pytest.fixture
def cases(session):
    return {"waiting": add(session, "BNI-2026-0001", health="referred"),
            "closed": add(session, "BNI-2026-0002", status="closed"),
            "accepted": add(session, "BNI-2026-0003", health="accepted"),
            "received": add(session, "BNI-2026-0004", health="completed")}


def urgent_cells(page) -> dict[str, str]:
    model = page.model
    return {model.index(row, 0).data(): model.index(row, URGENT_COLUMN).data() for row in range(model.rowCount())}


def test_list_and_detail_pane_count_down_only_for_who_still_needs_care(qtbot, window, cases):
    page = next(p for p in window.pages if isinstance(p, ReferralsPage))
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=3000)
    cells = urgent_cells(page)
    assert cells["BNI-2026-0001"].startswith("PEP ") and cells["BNI-2026-0001"].endswith(" h left")
    assert cells["BNI-2026-0002"] == cells["BNI-2026-0003"] == cells["BNI-2026-0004"] == ""
    for name, referral in cases.items():
        page.open_record(referral.id)
        shown = page.detail.toPlainText()
        assert ("PEP window open" in shown) is (name == "waiting"), name

    home = window.pages[0]
    window.show_page(home)
    home.reload()
    codes = [home.urgent.tree.topLevelItem(i).text(0) for i in range(home.urgent.tree.topLevelItemCount())]
    assert codes == ["BNI-2026-0001"]


def test_accepting_health_care_in_the_form_clears_the_list_countdown(qtbot, window, session, cases):
    page = next(p for p in window.pages if isinstance(p, ReferralsPage))
    window.show_page(page)
    page.open_record(cases["waiting"].id)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    form = page.form
    assert isinstance(form, ReferralForm)
    assert "PEP window OPEN" in form.urgency_text()
    form.services.view.selectRow(0)
    next(a for a in form.services.status_actions() if a.data() == "accepted").trigger()
    assert "Health care accepted or received" in form.urgency_text()  # the banner follows the staged status
    qtbot.mouseClick(form.buttons.button(form.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.form is None, timeout=3000)
    assert urgent_cells(page)["BNI-2026-0001"] == ""


def test_closing_the_case_in_the_form_silences_the_banner(qtbot, window, cases):
    page = next(p for p in window.pages if isinstance(p, ReferralsPage))
    window.show_page(page)
    page.open_record(cases["waiting"].id)
    page.edit_current()
    form = page.form
    assert "OPEN" in form.urgency_text()
    form.status.setFocus()
    qtbot.keyClicks(form.status, "Closed")  # keyboard search in the closed drop-down
    assert form.urgency_text() == "Case closed: no health care window to watch."
