"""The Sync, Documents, Places and Directory pages fit the space the main window leaves them on a
1366×768 laptop, on a 1024×600 netbook, and on 1366×768 at 125 % and 150 % scaling (Qt lays out
in logical pixels: 1093×614 and 910×512). They scroll only vertically, and every button can be
seen in full, its text uncut, in both languages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QPushButton

from fieldapp.gui.directory_page import DirectoryPage
from fieldapp.gui.documents_page import EXPORT, DocumentsPage
from fieldapp.gui.main_window import MainWindow
from fieldapp.gui.places_page import PlacesPage
from fieldapp.gui.qt_i18n import apply_language
from fieldapp.gui.sync_page import AddOfficeDialog, SyncPage
from fieldapp.sync.site import HEADQUARTERS, Site
from tests.documents_support import open_filled_vault
from tests.sync_support import make_site

SCREENS = {"1366×768": (1366, 768), "1024×600": (1024, 600), "1366×768 at 125 %": (1093, 614),
           "1366×768 at 150 %": (910, 512)}
PAGES = (SyncPage, DocumentsPage, PlacesPage, DirectoryPage)


@pytest.fixture
def window(qtbot, context, template_vault, tmp_path):
    session = open_filled_vault(template_vault, tmp_path, records=20)
    headquarters = make_site(template_vault, tmp_path / "hq", "Siège de la MONUSCO — Kinshasa", "KIN", HEADQUARTERS)
    with headquarters.open() as hq:
        Site(session).enrol(Site(hq).card())
    main = MainWindow(context, session.vault)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    main.on_unlocked(session)
    qtbot.waitExposed(main)
    yield main
    main.lock()
    session.close()


def page_space(window, screen: tuple[int, int]) -> tuple[int, int]:
    """What a page gets when the window fills that screen: the navigation, menus and status bar
    take what they take at 1366×768."""
    stack = window.page_stack
    return screen[0] - (window.width() - stack.width()), screen[1] - (window.height() - stack.height())


def visible_rect(widget, page) -> QRect:
    """The part of `widget` that shows inside the page (and inside its scroll area, if any)."""
    rect = QRect(widget.mapTo(page, widget.rect().topLeft()), widget.size())
    shown = page.rect()
    scroll = getattr(page, "scroll_area", None)
    if scroll is not None and scroll.widget().isAncestorOf(widget):
        viewport = scroll.viewport()
        shown = shown.intersected(QRect(viewport.mapTo(page, viewport.rect().topLeft()), viewport.size()))
    return rect.intersected(shown)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_pages_fit_and_every_button_can_be_seen_whole(qtbot, window, language, screen):
    apply_language(language, window.context)
    width, height = page_space(window, SCREENS[screen])
    for page_type in PAGES:
        page = next(p for p in window.pages if isinstance(p, page_type))
        window.show_page(page)
        if isinstance(page, DocumentsPage):
            page.document.setCurrentIndex(page.document.findData(EXPORT))  # its longest form
        QApplication.processEvents()
        hint = page.minimumSizeHint()
        assert hint.width() <= width and hint.height() <= height, (page_type.__name__, hint, (width, height))
        page.resize(width, height)
        QApplication.processEvents()
        scroll = getattr(page, "scroll_area", None)
        if scroll is not None:
            content = scroll.widget()
            assert content.minimumSizeHint().width() <= scroll.viewport().width(), page_type.__name__
            assert not scroll.horizontalScrollBar().isVisible()
        buttons = [b for b in page.findChildren(QPushButton) if b.isVisibleTo(page)]
        assert buttons, page_type.__name__
        for button in buttons:
            if scroll is not None and scroll.widget().isAncestorOf(button):
                scroll.ensureWidgetVisible(button, 0, 0)
                QApplication.processEvents()
            assert button.width() >= button.sizeHint().width(), (page_type.__name__, button.text())
            assert visible_rect(button, page).size() == button.size(), (page_type.__name__, button.text(), screen)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_add_an_office_dialog_fits_a_150_percent_screen(qtbot, window, language):
    apply_language(language, window.context)
    session = window.context.session
    card = Site(session).peers()[0]
    from fieldapp.sync.site import SiteCard

    dialog = AddOfficeDialog(SiteCard(card["site_id"], card["name"], card["office_code"], card["role"],
                                      card["signing_key"], card["age_recipient"]), True, window)
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    width, height = SCREENS["1366×768 at 150 %"]
    assert dialog.width() <= width and dialog.height() <= height - 40  # a title bar above it
    assert dialog.add_button.width() >= dialog.add_button.sizeHint().width()
