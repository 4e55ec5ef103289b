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
