"""Widgets are muted through gui/widgets/signals.py's signals_blocked, never by a hand-paired
blockSignals(True) / blockSignals(False): an exception between the two would leave the widget
deaf for the rest of the session (a filter box that no longer filters, a list that no longer
shows its detail). No Qt is started: the sources are read."""

from __future__ import annotations

import re
from pathlib import Path

GUI = Path(__file__).resolve().parent.parent / "fieldapp" / "gui"
HELPER = GUI / "widgets" / "signals.py"
HAND_PAIRED = re.compile(r"\.blockSignals\(\s*(True|False)\s*\)")


def hand_paired(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == HELPER:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HAND_PAIRED.search(line):
                found.append(f"{path.relative_to(root.parent.parent)}:{number}")
    return found


def test_no_widget_is_muted_by_hand():
    assert hand_paired(GUI) == []


def test_the_check_finds_a_hand_paired_block(tmp_path):
    planted = tmp_path / "fieldapp" / "gui" / "page.py"
    planted.parent.mkdir(parents=True)
    planted.write_text("def refresh(self):\n    self.table.blockSignals(True)\n    self.table.clear()\n"
                       "    self.table.blockSignals(False)\n", encoding="utf-8")
    assert hand_paired(planted.parent) == ["fieldapp/gui/page.py:2", "fieldapp/gui/page.py:4"]
