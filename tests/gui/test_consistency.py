"""One way to write a date per language on every screen, and Qt's own dialogs in French."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from PySide6.QtWidgets import QFileDialog, QLabel

from fieldapp.domain.records import Referral, ReferralService
from fieldapp.gui.qt_i18n import apply_language
from fieldapp.gui.referrals_page import ReferralsPage

SHORT_FR = re.compile(r"^\d\d/\d\d/\d{4}( \d\d:\d\d)?$")


def test_qt_file_dialog_speaks_french(qtbot):
    apply_language("fr")
    dialog = QFileDialog(None, "Exporter")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own dialog, as on Linux and in the package
    qtbot.addWidget(dialog)
    labels = [label.text().replace("&", "") for label in dialog.findChildren(QLabel) if label.text()]
    assert not [text for text in labels if "Look in" in text or "Files of type" in text], labels
    assert "Voir dans\u00a0:" in labels and "Fichiers de type\u00a0:" in labels


def test_dates_read_one_way_on_the_referrals_page_and_home(qtbot, window, session, context):
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    referral = Referral(survivor_code="BNI-2026-0001", reported_at=now - timedelta(days=2),
                        incident_date=(now - timedelta(days=3)).date(), incident_type="physical_assault",
                        consent_referral=True)
    session.referrals.create(referral)
    session.services.create(ReferralService(referral_id=referral.id, sector="legal", status="referred",
                                            follow_up_on=date.today() - timedelta(days=1)))
    apply_language("fr", context)
    page = next(p for p in window.pages if isinstance(p, ReferralsPage))
    window.show_page(page)
    page.refresh()
    page.open_record(referral.id)
    assert SHORT_FR.match(page.model.index(0, 1).data())
    detail = page.detail.toPlainText()
    written = re.findall(r"\d{1,2}[ /.][^\s]+[ /.]\d{4}", detail)
    assert written and all(SHORT_FR.match(text) for text in written), written
    home = window.pages[0]
    window.show_page(home)
    home.reload()
    follow_up = home.follow_ups.tree.topLevelItem(0).text(0)
    assert SHORT_FR.match(follow_up.split(" · ")[0]), follow_up
    page.edit_current()
    services = page.form.services.model
    assert SHORT_FR.match(services.index(0, 3).data())
    page.form.reject()
