"""Every form and dialog (gui/dialog_tour.py: the record forms new and filled in, the service and
reason dialogs, the commitment form with its item editor, adding an office, restoring a backup,
the protection settings, the recovery-key shares, the import wizard) in French, on a vault with the
longest French values, fits the room a window has on the field laptops: 1366×768 and 1024×600,
and 1366×768 at 125 % and 150 % scaling (1093×614 and 910×512 logical pixels), less a taskbar and
a title bar. Nothing is cut, nothing scrolls sideways, Save / Cancel and the like are in sight."""

from __future__ import annotations

import json

import pytest

from fieldapp.demo import fill
from fieldapp.gui import layout_check
from fieldapp.gui.dialog_tour import tour
from fieldapp.gui.qt_i18n import apply_language
from tests.gui.fit_support import add_long_french_records

ROOMS = {"1366x768": layout_check.window_size("1366x768"), "1024x600": layout_check.window_size("1024x600"),
         "1366x768 at 125 %": (1093, 614 - layout_check.TASKBAR - layout_check.TITLE_BAR),
         "1366x768 at 150 %": (910, 512 - layout_check.TASKBAR - layout_check.TITLE_BAR)}


def dialog_problems(qtbot, opened, room: tuple[int, int]) -> list[str]:
    dialog = opened.dialog
    problems = []
    hint = dialog.minimumSizeHint()
    if hint.width() > room[0] or hint.height() > room[1]:
        problems.append(f"needs at least {hint.width()}×{hint.height()}, the screen has {room[0]}×{room[1]}")
    # As it opens (no larger than the room: test_dialogs_open_inside_the_screen), then stretched
    # to the whole room, as when maximised.
    for size in ((min(dialog.width(), room[0]), min(dialog.height(), room[1])), room):
        dialog.resize(*size)
        qtbot.wait(30)
        if dialog.width() > room[0] or dialog.height() > room[1]:
            problems.append(f"is {dialog.width()}×{dialog.height()}")
        problems += layout_check.cut_texts(dialog) + layout_check.sideways_scrolling(dialog)
        problems += layout_check.outside(dialog, opened.main_buttons)
        for widget in opened.below:
            dialog.scroll.ensureWidgetVisible(widget)
            qtbot.wait(10)
            problems += layout_check.outside(dialog, [widget])
    return sorted(set(problems))


@pytest.mark.parametrize("room", list(ROOMS))
def test_every_form_and_dialog_fits_in_french(qtbot, window, session, context, room):
    fill(session, 30)
    add_long_french_records(session)
    apply_language("fr", context)
    window.resize(*layout_check.window_size("1366x768"))
    found, seen = {}, []
    for opened in tour(window):
        qtbot.wait(30)
        seen.append(opened.name)
        problems = dialog_problems(qtbot, opened, ROOMS[room])
        if problems:
            found[opened.name] = problems
    assert {"commitment-form", "service-dialog", "reason-dialog", "import-wizard", "restore-dialog",
            "protection-settings", "add-office-dialog", "recovery-shares-dialog", "party-form"} <= set(seen), seen
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


PROBE = """
import json, sys
from fieldapp.gui.app import create_application
app = create_application(['fieldapp'])
from fieldapp.demo import fill
from fieldapp.gui.context import AppContext
from fieldapp.gui.dialog_tour import tour
from fieldapp.gui.list_page import ListPage
from fieldapp.gui.main_window import MainWindow
from fieldapp.gui.qt_i18n import apply_language
from fieldapp.store.vault import Vault
from tests.gui.fit_support import add_long_french_records
session = Vault(sys.argv[1]).unlock_with_recovery(sys.argv[2], 'amina')
fill(session, 5)
add_long_french_records(session, 5)
context = AppContext()
window = MainWindow(context, session.vault)
window.show()
window.on_unlocked(session)
apply_language('fr', context)
free = window.screen().availableGeometry()
sizes, pages = {}, {}
for page in window.pages:
    window.show_page(page)
    if isinstance(page, ListPage):
        page.refresh()
        page.select_row(0)  # its detail pane filled in
    for _round in range(3):
        app.processEvents()
    pages[type(page).__name__] = [window.width(), window.height()]
sizes = {}
for opened in tour(window):
    app.processEvents()
    sizes[opened.name] = [opened.dialog.width(), opened.dialog.height()]
print(json.dumps({'free': [free.width(), free.height()], 'pages': pages, 'sizes': sizes}))
window.lock()
"""


@pytest.mark.parametrize("screen, scale", [((1024, 600), "1"), ((1366, 768), "1.5")])
def test_every_page_form_and_dialog_opens_inside_the_screen(vault_copy, tmp_path, screen, scale):
    """The main window showing each page, and each form and dialog as it opens, on a 1024×600 screen, and on 1366×768 at 150 % (911×512 logical pixels), a
    40-pixel taskbar taken off: no larger than the room left, its title bar on the screen too
    (a fresh process: Qt reads the screen when it starts)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    path, recovery_key = vault_copy
    config = tmp_path / "screen.json"
    width, height = screen
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": width,
                                               "height": height - round(layout_check.TASKBAR * float(scale)),
                                               "logicalDpi": 96, "dpr": 1}]}))
    root = Path(__file__).resolve().parents[2]
    environment = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", QT_SCALE_FACTOR=scale,
                       PYTHONPATH=str(root), XDG_CONFIG_HOME=str(tmp_path / "config"))
    result = subprocess.run([sys.executable, "-c", PROBE, str(path), recovery_key], capture_output=True, text=True,
                            env=environment, cwd=root, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    free_width, free_height = shown["free"]
    assert free_width <= width and len(shown["sizes"]) >= 20, shown
    too_big = {name: size for name, size in shown["sizes"].items()
               if size[0] > free_width or size[1] + layout_check.TITLE_BAR > free_height}
    assert not too_big, (shown["free"], too_big)
    too_wide = {name: size for name, size in shown["pages"].items()
                if size[0] > free_width or size[1] + layout_check.TITLE_BAR > free_height}
    assert not too_wide, (shown["free"], too_wide)
