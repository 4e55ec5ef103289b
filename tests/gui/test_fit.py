"""Every page, form and dialog on the field laptops' screens, 1366×768 and 1024×600 (less a
taskbar and a title bar), in English and French, on a vault as a busy office has it (dozens of
rows on every Home list, the longest French values): the window is not pushed wider or taller
than that, no text is cut, nothing scrolls sideways, and the main buttons are in sight."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

from fieldapp.demo import fill
from fieldapp.gui import layout_check
from fieldapp.gui.forms.services import ReasonDialog, ServiceDialog
from fieldapp.gui.list_page import ListPage
from fieldapp.gui.qt_i18n import apply_language
from fieldapp.domain.records import ReferralService
from tests.gui.fit_support import add_long_french_records

# Pages other developers are changing under the same issue; their own content fails here today.
OTHERS: dict[str, str] = {}  # pages excused from the check, with the reason: none now
ROOT = Path(__file__).resolve().parents[2]


def settle(qtbot, ms: int = 60) -> None:
    qtbot.wait(ms)


def page_problems(window, page, size) -> list[str]:
    problems = []
    if (window.width(), window.height()) != size:
        problems.append(f"window is {window.width()}×{window.height()}, not {size[0]}×{size[1]}")
    problems += layout_check.cut_texts(window) + layout_check.sideways_scrolling(window)
    buttons = [b for b in page.findChildren(QPushButton) if b.isVisibleTo(page)]
    problems += layout_check.outside(window, buttons)
    return problems


def form_problems(form, size) -> list[str]:
    problems = []
    if (form.width(), form.height()) != size:
        problems.append(f"form is {form.width()}×{form.height()}, not {size[0]}×{size[1]}")
    problems += layout_check.cut_texts(form) + layout_check.sideways_scrolling(form)
    problems += layout_check.outside(form, list(form.buttons.buttons()))
    services = getattr(form, "services", None)
    if services is not None:
        # Below the fields: reachable by scrolling down, never by scrolling sideways.
        form.scroll.ensureWidgetVisible(services.add_button)
        problems += layout_check.outside(form, [services.add_button])
    return problems


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("screen", list(layout_check.SCREENS))
def test_every_page_and_form_fits_the_screen(qtbot, window, session, context, language, screen):
    fill(session, 30)
    add_long_french_records(session)
    apply_language(language, context)
    size = layout_check.window_size(screen)
    found: dict[str, list[str]] = {}
    for page in window.pages:
        window.show_page(page)
        settle(qtbot)  # the window's minimum follows the page shown (a wide page before it let go)
        window.resize(*size)
        settle(qtbot)
        if isinstance(page, ListPage):
            page.refresh()
            page.select_row(0)
            settle(qtbot)
        found[type(page).__name__] = page_problems(window, page, size)
        if isinstance(page, ListPage) and page.FORM is not None:
            page.edit_current()
            form = page.form
            form.resize(*size)
            settle(qtbot)
            found[type(form).__name__] = form_problems(form, size)
            form.reject()
            settle(qtbot, 20)
    mine = {name: problems for name, problems in found.items() if problems and name not in OTHERS}
    assert not mine, json.dumps(mine, ensure_ascii=False, indent=1)
    theirs = {name: problems for name, problems in found.items() if problems and name in OTHERS}
    if theirs:
        pytest.xfail("; ".join(OTHERS[name] for name in theirs))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_service_and_reason_dialogs_fit_the_small_screen(qtbot, window, session, context, language):
    apply_language(language, context)
    size = layout_check.window_size("1024x600")
    for dialog in (ServiceDialog(session, ReferralService(referral_id=""), lambda _s: None, window),
                   ReasonDialog("Refuse", "Write the reason the provider refused the referral.", lambda _r: None,
                                window)):
        qtbot.addWidget(dialog)
        dialog.show()
        settle(qtbot)
        assert dialog.width() <= size[0] and dialog.height() <= size[1]
        assert layout_check.cut_texts(dialog) == []
        assert layout_check.outside(dialog, list(dialog.buttons.buttons())) == []
        dialog.close()


@pytest.mark.parametrize("scale", ["1.25", "1.5"])
def test_the_window_opens_inside_a_scaled_laptop_screen(tmp_path, scale):
    """At 125 % and 150 % a 1366×768 screen has 1093×614 and 911×512 logical pixels: the main
    window opens inside them (a fresh process: the scale is read when Qt starts)."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                                               "logicalDpi": 96, "dpr": 1}]}))
    probe = (
        "import sys\n"
        "from fieldapp.gui.app import create_application\n"
        "app = create_application(['fieldapp'])\n"
        "from fieldapp.gui.context import AppContext\n"
        "from fieldapp.gui.main_window import MainWindow\n"
        "from fieldapp.store.vault import Vault\n"
        f"window = MainWindow(AppContext(), Vault({str(tmp_path / 'new')!r}))\n"
        "window.show(); app.processEvents()\n"
        "free = window.screen().availableGeometry()\n"
        "print(window.frameGeometry().width(), window.height(), free.width(), free.height())\n"
    )
    environment = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", QT_SCALE_FACTOR=scale,
                       PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    width, height, free_width, free_height = map(int, result.stdout.split()[-4:])
    assert free_width == round(1366 / float(scale)) or abs(free_width - 1366 / float(scale)) < 2
    assert width <= free_width and height <= free_height - 30


@pytest.mark.parametrize("screen", list(layout_check.SCREENS))
def test_the_navigation_shows_its_longest_french_label_whole(qtbot, window, context, screen):
    apply_language("fr", context)
    window.resize(*layout_check.window_size(screen))
    settle(qtbot)
    nav = window.nav
    labels = [nav.item(row).text() for row in range(nav.count())]
    assert "Parties et engagements" in labels
    assert not nav.horizontalScrollBar().isVisible()
    widest = max(nav.fontMetrics().horizontalAdvance(label) for label in labels)
    assert widest + 2 * 8 <= nav.viewport().width(), (widest, nav.viewport().width())  # 8 px padding each side


def test_columns_share_the_width_the_widest_giving_way_first():
    from fieldapp.gui.widgets.fit import share_width

    assert share_width([100, 200], [50, 80], 400) == [100, 300]  # room to spare: the last takes it
    widths = share_width([120, 400, 300, 90], [120, 150, 120, 90], 600)
    assert sum(widths) == 600 and widths[0] == 120 and widths[3] == 90  # short columns stay whole
    assert abs(widths[1] - widths[2]) <= 1  # the two long ones wrap at the same width
    assert share_width([120, 400], [120, 390], 300) == [120, 390]  # never under a word's width


@pytest.mark.parametrize("language", ["en", "fr"])
def test_change_status_keeps_room_for_its_menu_arrow(qtbot, window, session, context, language):
    """"Changer le statut" opens a menu: its arrow has room of its own beside the text, as the
    person sees it on the referral form (an arrow drawn over the last letter was the bug)."""
    from PySide6.QtWidgets import QStyle

    from fieldapp.gui.referrals_page import ReferralsPage

    fill(session, 5)
    apply_language(language, context)
    page = next(p for p in window.pages if isinstance(p, ReferralsPage))
    window.show_page(page)
    window.resize(*layout_check.window_size("1024x600"))
    page.refresh()
    page.select_row(0)
    page.edit_current()
    form = page.form
    form.resize(*layout_check.window_size("1024x600"))
    settle(qtbot)
    button = form.services.status_button
    style = button.style()
    text = button.fontMetrics().horizontalAdvance(button.text())
    arrow = style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, button)
    margins = 2 * style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, None, button)
    assert button.menu() is not None
    assert button.width() >= text + arrow + margins, (button.text(), button.width(), text, arrow, margins)
    form.reject()


def test_party_names_keep_to_two_lines_at_1024_pixels_in_french(qtbot, window, session, context):
    """The Parties page on a 1024×600 screen in French: the parties' type, also on the line above
    their commitments, gives its column to their names, which wrapped onto four to six lines."""
    from fieldapp.gui.parties_page import PartiesPage

    fill(session, 10)
    add_long_french_records(session, 2)
    apply_language("fr", context)
    page = next(p for p in window.pages if isinstance(p, PartiesPage))
    window.show_page(page)
    window.resize(*layout_check.window_size("1024x600"))
    settle(qtbot, 150)
    tree = page.parties
    line = tree.fontMetrics().height()
    lines = {tree.topLevelItem(row).text(1): tree.visualItemRect(tree.topLevelItem(row)).height() // line
             for row in range(tree.topLevelItemCount())}
    assert len(lines) >= 5 and max(lines.values()) <= 3, lines
    assert lines["Forces armées de la République démocratique du Congo"] <= 2, lines
    assert layout_check.cut_texts(window) == [] and layout_check.sideways_scrolling(window) == []
    tree.setCurrentItem(tree.topLevelItem(0))
    assert "Groupe armé non étatique" in page.party_detail.text() or "Forces armées" in page.party_detail.text()
    # On a wide pane the type is a column again.
    page.splitter.setSizes([900, 300])
    page.splitter.splitterMoved.emit(900, 1)
    settle(qtbot)
    assert not tree.isColumnHidden(2)
