"""Keyboard and pointer as a person uses them: Tab in reading order in every form, Ctrl+N and
Ctrl+1…9 from anywhere in the window, drop-down lists opening below their field, and a window
title that names the site once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from fieldapp.gui.forms.alert_form import AlertForm
from fieldapp.gui.forms.provider_form import ProviderForm
from fieldapp.gui.forms.referral_form import ReferralForm
from fieldapp.gui.forms.training_form import TrainingForm
from fieldapp.gui.list_page import ListPage


def grid_position(form, widget):
    """(column of the form, row within it) of the field holding `widget`."""
    for column, grid in enumerate(form.grids):
        for row, name in enumerate(grid.names()):
            field = grid.widget(name)
            if field is widget or field.isAncestorOf(widget):
                return column, row
    return None


@pytest.mark.parametrize("form_class", [ReferralForm, AlertForm, TrainingForm, ProviderForm])
def test_tab_follows_reading_order_left_column_then_right(qtbot, window, form_class):
    form = form_class(window.context)
    qtbot.addWidget(form)
    with qtbot.waitActive(form):
        form.show()
        form.activateWindow()
    first = form.grids[0].widget(form.grids[0].names()[0])
    start = next(w for w in [first, *first.findChildren(QWidget)]
                 if w.focusProxy() is not None or w.focusPolicy() & Qt.FocusPolicy.TabFocus)
    start.setFocus()
    qtbot.waitUntil(lambda: grid_position(form, QApplication.focusWidget()) is not None, timeout=1000)
    positions = []
    for _step in range(40):
        position = grid_position(form, QApplication.focusWidget())
        if position is None:
            break
        if not positions or positions[-1] != position:
            positions.append(position)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert positions == sorted(positions), positions  # never back up a column or a row
    assert {column for column, _row in positions} == {0, 1}
    expected = sum(len(grid.names()) for grid in form.grids)
    assert len(positions) >= expected - 1  # every field is reached (a read-only total may have no focus)
    form.reject()


def test_alert_form_text_typed_after_the_locality_lands_in_severity(qtbot, window):
    form = AlertForm(window.context)
    qtbot.addWidget(form)
    with qtbot.waitActive(form):
        form.show()
        form.activateWindow()
    qtbot.mouseClick(form.locality, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.locality, "Oicha")
    qtbot.keyClick(form.locality, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.severity
    form.reject()


def test_ctrl_n_opens_a_new_record_even_with_the_navigation_focused(qtbot, window):
    referrals = window.pages[1]
    qtbot.keyClick(window.nav, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.page_stack.currentWidget() is referrals
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(referrals.form, ReferralForm) and referrals.form.is_new
    referrals.form.reject()


def test_ctrl_digits_go_to_each_page(qtbot, window):
    for number, page in enumerate(window.pages[:9], start=1):
        qtbot.keyClick(window.focusWidget() or window, getattr(Qt.Key, f"Key_{number}"),
                       Qt.KeyboardModifier.ControlModifier)
        assert window.page_stack.currentWidget() is page, number
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.page_stack.currentWidget(), type(window.pages[0]))


def test_a_drop_down_opens_below_its_field_not_over_it(qtbot, window):
    form = ReferralForm(window.context, None, window)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    combo = form.incident_type
    combo.set_code("denial_of_resources")  # far down the list: a centred list would cover the field
    combo.showPopup()
    popup = combo.view().window()
    qtbot.waitUntil(popup.isVisible, timeout=1000)
    field_bottom = combo.mapToGlobal(QPoint(0, combo.height())).y()
    field_top = combo.mapToGlobal(QPoint(0, 0)).y()
    assert popup.geometry().top() >= field_bottom - 1 or popup.geometry().bottom() <= field_top + 1
    combo.hidePopup()
    form.reject()


def test_window_title_names_the_site_and_not_the_app_twice(window):
    assert window.windowTitle() == "Beni field office"
    assert QApplication.applicationDisplayName() not in window.windowTitle()
    window.lock()
    assert window.windowTitle() == "fieldapp"  # no site name while locked
    assert isinstance(window.pages[1], ListPage)
