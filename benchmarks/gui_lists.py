"""How fast the record lists feel on a big vault: open each list, scroll to its end, search, filter
and sort, with the real pages painting offscreen. Prints milliseconds; no assertion.

    .venv/bin/fieldapp --vault /tmp/big demo --records 200000      # once, a few minutes
    .venv/bin/python benchmarks/gui_lists.py /tmp/big [passphrase]
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from fieldapp.demo import DEMO_PASSPHRASE, DEMO_USER  # noqa: E402
from fieldapp.gui.alerts_page import AlertsPage  # noqa: E402
from fieldapp.gui.context import AppContext  # noqa: E402
from fieldapp.gui.directory_page import DirectoryPage  # noqa: E402
from fieldapp.gui.places_page import PlacesPage  # noqa: E402
from fieldapp.gui.referrals_page import ReferralsPage  # noqa: E402
from fieldapp.gui.trainings_page import TrainingsPage  # noqa: E402
from fieldapp.store.vault import Vault  # noqa: E402

SEARCHES = {
    ReferralsPage: ["BNI-2025-0420", "mavivi", "ma", "suivi psy"],
    AlertsPage: ["CAN-BNI-012", "oicha", "ho", "coups de feu"],
    TrainingsPage: ["résolution", "mairie", "pr"],
    DirectoryPage: ["panzi", "beni"],
}
FILTERS = {
    ReferralsPage: [("status", "open"), ("incident_type", "rape"), ("sector", "legal")],
    AlertsPage: [("status", "open"), ("severity", "critical"), ("threat_type", "abduction")],
    TrainingsPage: [("audience", "media"), ("topic", "mara")],
    DirectoryPage: [("sector", "health")],
}


def painted(app: QApplication, widget) -> None:
    """Let queued work run, then paint the widget once, as the screen would."""
    app.processEvents()
    widget.grab()


def timed(app: QApplication, widget, action) -> float:
    started = time.perf_counter()
    action()
    painted(app, widget)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str]) -> int:
    path = argv[1] if len(argv) > 1 else "/tmp/big"
    passphrase = argv[2] if len(argv) > 2 else DEMO_PASSPHRASE
    app = QApplication([])
    if hasattr(os, "getloadavg"):
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (figures grow with it)")
    started = time.perf_counter()
    session = Vault(path).unlock(DEMO_USER, passphrase)
    print(f"unlock (scrypt key slot)            {(time.perf_counter() - started) * 1000:8.0f} ms")
    context = AppContext()
    context.set_session(session)
    try:
        for page_class in (ReferralsPage, AlertsPage, TrainingsPage, DirectoryPage):
            page = page_class(context)
            page.resize(1400, 850)
            name = page_class.__name__
            ms = timed(app, page, page.show)
            print(f"{name:15} open ({page.model.rowCount():>7,} rows)   {ms:8.0f} ms")
            ms = timed(app, page, lambda: page.table.scrollToBottom())
            print(f"{name:15} scroll to the end          {ms:8.0f} ms")
            ms = timed(app, page, lambda: page.select_row(page.model.rowCount() - 1))
            print(f"{name:15} select last row + detail   {ms:8.0f} ms")
            ms = timed(app, page, lambda: page.table.scrollToTop())
            print(f"{name:15} back to the top            {ms:8.0f} ms")
            for text in SEARCHES[page_class]:
                def search(text=text):
                    page.search.setText(text)
                    page.apply_filters()  # what the 150 ms pause after typing triggers
                ms = timed(app, page, search)
                print(f"{name:15} search {text!r:18} {ms:8.0f} ms  ({page.model.rowCount():,} found)")
            page.reset_filters()
            for key, code in FILTERS[page_class]:
                ms = timed(app, page, lambda key=key, code=code: page.filter_combos[key].set_code(code))
                print(f"{name:15} filter {key}={code:12} {ms:8.0f} ms  ({page.model.rowCount():,} found)")
                page.filter_combos[key].set_code("")
            for section, column in enumerate(page.model.columns):
                if column.sort and section != page.model.sort_column():
                    ms = timed(app, page, lambda section=section: page._header_clicked(section))
                    print(f"{name:15} sort by {column.sort:17} {ms:8.0f} ms")
            ms = timed(app, page, lambda: page.table.scrollToBottom())
            print(f"{name:15} scroll to the end (sorted) {ms:8.0f} ms")
            page.hide()
            page.clear()
        places = PlacesPage(context)
        places.resize(1400, 850)
        print(f"{'PlacesPage':15} open                      {timed(app, places, places.show):8.0f} ms")

        def place_search():
            places.search.setText("beni")
            places.run_search()

        print(f"{'PlacesPage':15} search 'beni'             {timed(app, places, place_search):8.0f} ms")
    finally:
        context.drop_session()
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
