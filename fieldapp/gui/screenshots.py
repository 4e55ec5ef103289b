"""Screenshots of the app for the README and for review: `python -m fieldapp.gui.screenshots OUTDIR`.

Runs offscreen on throw-away vaults in a temporary folder and writes, in English then French, at
the size a maximised window has on a 1366×768 and on a 1024×600 screen (`en-…png` and
`en-1024x600-…png`): the three steps of the first-run wizard, the unlock screen and its recovery
form, Home, every page of the navigation (lists with their detail pane), every record form (filled
in and new) at the window's size, and every other dialog (gui/dialog_tour.py) at its own. What layout_check finds (a text cut short, a button out of sight, sideways
scrolling) is printed beside the file name. Nothing is kept but the PNG files.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QWidget, QWizard  # noqa: E402

from fieldapp.demo import DEMO_USER, create_demo_vault  # noqa: E402
from fieldapp.domain.records import utc_now  # noqa: E402
from fieldapp.fileio import atomic_write  # noqa: E402
from fieldapp.gui.app import create_application  # noqa: E402
from fieldapp.gui.context import AppContext  # noqa: E402
from fieldapp.gui import layout_check  # noqa: E402
from fieldapp.gui.dialog_tour import forms_of, other_dialogs  # noqa: E402
from fieldapp.gui.forms.base import RecordForm  # noqa: E402
from fieldapp.gui.list_page import ListPage  # noqa: E402
from fieldapp.gui.main_window import MainWindow  # noqa: E402
from fieldapp.gui.qt_i18n import apply_language  # noqa: E402
from fieldapp.gui.screenshot import png_bytes  # noqa: E402
from fieldapp.store.vault import Vault  # noqa: E402

SCREENS = ("1366x768", "1024x600")
SETTLE_MS = 500  # pages fill their lists and counters in workers after being shown
DEMO_PASSPHRASE = "correct horse battery staple"


def _settle(ms: int = SETTLE_MS) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state")
        _settle(50)


def compact(png: bytes, colours: int = 128) -> bytes:
    """A palette PNG a quarter the size, for files committed to the repository (Pillow comes with reportlab)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        image.convert("RGB").quantize(colours).save(out, "PNG", optimize=True)
    return out.getvalue()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "page"


class Shooter:
    def __init__(self, outdir: Path, language: str, screen: str = SCREENS[0]):
        self.outdir, self.language, self.screen = outdir, language, screen
        self.size = layout_check.window_size(screen)
        self.number = 0
        self.written: list[Path] = []
        self.problems: dict[Path, list[str]] = {}

    def save(self, widget: QWidget, name: str, buttons: list[QWidget] | None = None) -> None:
        _settle()
        self.number += 1
        size = "" if self.screen == SCREENS[0] else f"{self.screen}-"
        path = self.outdir / f"{self.language}-{size}{self.number:02d}-{name}.png"
        atomic_write(path, compact(png_bytes(widget)), mode=0o644)
        self.written.append(path)
        problems = layout_check.cut_texts(widget) + layout_check.sideways_scrolling(widget)
        problems += layout_check.outside(widget, buttons or [])
        if widget.width() > self.size[0] or widget.height() > self.size[1]:
            # Larger than the screen's room: a dialog smaller than the window is as it should be.
            problems.insert(0, f"{widget.width()}×{widget.height()}, larger than {self.size[0]}×{self.size[1]}")
        if problems:
            self.problems[path] = problems


def add_urgent_case(session) -> None:
    """A survivor who came forward an hour ago, health care referred but not yet accepted: what
    Home is for. The demo data may have none inside the windows on the day the pictures are taken."""
    from datetime import timedelta

    from fieldapp.domain.records import Referral, ReferralService

    now = utc_now()
    referral = Referral(
        survivor_code=session.referrals.next_survivor_code(session.office_code, now.year),
        reported_at=now - timedelta(hours=1), incident_date=(now - timedelta(hours=20)).date(),
        incident_type="rape", crsv=True, sex="female", age_group="18-59", displacement="idp", disability="no",
        perpetrator_category="unidentified_armed_men", perpetrator_count=2, location_pcode="CD6109",
        locality="Oicha", entry_point="community_focal_point", consent_referral=True, consent_reporting=True,
        consent_at=now.date())
    session.referrals.create(referral)
    session.services.create(ReferralService(referral_id=referral.id, sector="health", status="referred",
                                            provider_text="Hôpital général de référence de Beni"))
    session.services.create(ReferralService(referral_id=referral.id, sector="psychosocial", status="pending"))


def _wizard(shoot: Shooter, folder: Path) -> None:
    """The four wizard steps, on a vault made for the purpose (its key is shown, then thrown away)."""
    context = AppContext()
    window = MainWindow(context, Vault(folder / f"first-run-{shoot.language}-{shoot.screen}"))
    window.resize(*shoot.size)
    window.show()
    wizard = window.wizard
    try:
        wizard.site_page.site.setText("Beni field office" if shoot.language == "en" else "Bureau de Beni")
        wizard.site_page.office_code.setText("BNI")
        shoot.save(window, "wizard-site")
        wizard.next()
        shoot.save(window, "wizard-places")
        wizard.next()
        wizard.user_page.user.setText("amina.k")
        wizard.user_page.passphrase.first.setText(DEMO_PASSPHRASE)
        wizard.user_page.passphrase.second.setText(DEMO_PASSPHRASE)
        shoot.save(window, "wizard-passphrase")
        wizard.button(QWizard.WizardButton.CommitButton).click()
        _wait_for(lambda: wizard.currentPage() is wizard.recovery_page)
        shoot.save(window, "wizard-recovery-key")
    finally:
        if wizard.session is not None:
            wizard.session.close()
            wizard.session = None
        window.hide()
        window.deleteLater()


def _pages(shoot: Shooter, window: MainWindow) -> None:
    """Home, every page with its first record selected, and the form of that record."""
    session = window.context.session
    urgent = session.dashboard.urgent_referrals(utc_now(), limit=1).items
    for page in window.pages:
        window.show_page(page)
        _settle(100)
        window.resize(*shoot.size)  # a wider page shown before has let go of the window
        if isinstance(page, ListPage):
            if page.KIND == "referral" and urgent:
                page.open_record(urgent[0].referral.id)  # one inside the PEP window: the urgency banner shows
            else:
                page.select_row(0)
        shoot.save(window, _slug(page.KIND or page.TITLE))
        for opened in forms_of(page):
            _dialog(shoot, opened)
    for opened in other_dialogs(window):
        _dialog(shoot, opened)


def _dialog(shoot: Shooter, opened) -> None:
    """A form at the window's size (as it opens on that screen); a small dialog at its own."""
    dialog = opened.dialog
    _settle(100)
    if isinstance(dialog, RecordForm):
        dialog.resize(*shoot.size)
    else:
        dialog.resize(min(dialog.width(), shoot.size[0]), min(dialog.height(), shoot.size[1]))
    shoot.save(dialog, opened.name, opened.main_buttons)


def take(outdir: Path, records: int = 400, languages: tuple[str, ...] = ("en", "fr"),
         screens: tuple[str, ...] = SCREENS, problems: dict | None = None) -> list[Path]:
    """Write the pictures; `problems`, if given, receives what layout_check found per picture."""
    outdir.mkdir(parents=True, exist_ok=True)
    app = create_application([sys.argv[0]])
    written: list[Path] = []
    problems = {} if problems is None else problems
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        session, recovery_key, _counts = create_demo_vault(folder / "demo", records)
        add_urgent_case(session)
        context = AppContext()
        window = MainWindow(context, session.vault)  # the Vault that holds the one-writer lock
        window.show()
        try:
            for screen in screens:
                for language in languages:
                    apply_language(language, context)
                    shoot = Shooter(outdir, language, screen)
                    window.resize(*shoot.size)
                    _wizard(shoot, folder)
                    window.unlock_screen.reset()
                    window.unlock_screen.user.setText(DEMO_USER)
                    shoot.save(window, "unlock")
                    window.unlock_screen.show_recovery()
                    shoot.save(window, "unlock-recovery")
                    window.unlock_screen.show_passphrase()
                    window.on_unlocked(session)
                    _pages(shoot, window)
                    window.lock()
                    session = window.vault.unlock_with_recovery(recovery_key, DEMO_USER)
                    written += shoot.written
                    problems.update(shoot.problems)
        finally:
            apply_language("en", context)
            if context.is_unlocked:
                context.drop_session()
            session.close()
            window.close()
            app.processEvents()
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m fieldapp.gui.screenshots OUTDIR", file=sys.stderr)
        return 2
    problems: dict[Path, list[str]] = {}
    for path in take(Path(argv[0]), problems=problems):
        print(f"{path}  ← {'; '.join(problems[path])}" if path in problems else path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
