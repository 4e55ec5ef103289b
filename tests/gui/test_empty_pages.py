"""A new vault has no places and no providers: the Places and Directory pages say what to do, and
the Places page loads the DR Congo P-code file that ships with the app in one click."""

from __future__ import annotations

from PySide6.QtCore import Qt

from fieldapp.gui.directory_page import DirectoryPage
from fieldapp.gui.places_page import PlacesPage
from tests.sync_support import provider


def show(qtbot, context, session, page_type):
    page = page_type(context)
    qtbot.addWidget(page)
    context.set_session(session)
    page.resize(900, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_an_empty_gazetteer_says_where_places_come_from_and_loads_the_shipped_file(qtbot, context, session):
    page = show(qtbot, context, session, PlacesPage)
    assert page.count_label.text() == "0 places"
    assert page.empty_hint.isVisible() and "DR Congo P-code file (OCHA) ships with the app" in page.empty_hint.text()
    assert page.load_shipped_button.isVisible()
    qtbot.mouseClick(page.load_shipped_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.worker is None, timeout=30_000)
    assert "COD_pcodes.csv: 216 places added" in page.result_label.text()
    assert session.places.get("CD61").name_fr == "Nord-Kivu"
    assert page.count_label.text().startswith("216 places")
    assert not page.empty_hint.isVisible() and not page.load_shipped_button.isVisible()
    context.drop_session()
    assert not page.empty_hint.isVisible()


def test_an_empty_directory_says_it_comes_from_headquarters(qtbot, context, session):
    page = show(qtbot, context, session, DirectoryPage)
    assert page.empty_hint.isVisible()
    assert page.empty_hint.text().startswith("The directory is empty. Headquarters sends it in a data file")
    qtbot.keyClicks(page.search, "clinic")
    qtbot.waitUntil(lambda: not page.empty_hint.isVisible(), timeout=2000)  # a search that finds nothing
    page.reset_filters()
    assert page.empty_hint.isVisible()
    context.records_changed.emit(session.providers.create(provider(1)))
    assert not page.empty_hint.isVisible() and page.model.rowCount() == 1
