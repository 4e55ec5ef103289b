"""Typed dates are read whole, in the order of the language, with the separators people type."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from fieldapp import i18n
from fieldapp.typed_dates import read_date, read_datetime


@pytest.mark.parametrize("language, text", [
    ("fr", "30/11/2026"), ("fr", "30-11-2026"), ("fr", "30.11.2026"), ("fr", "30112026"), ("fr", "30 11 2026"),
    ("fr", "2026-11-30"), ("en", "11/30/2026"), ("en", "11-30-2026"), ("en", "11302026"), ("en", "2026-11-30"),
])
def test_every_way_of_typing_30_november(language, text):
    i18n.set_language(language)
    assert read_date(text).value == date(2026, 11, 30)


@pytest.mark.parametrize("language, text", [("fr", "11/30/2026"), ("en", "30/11/2026"), ("fr", "31/11/2026"),
                                            ("fr", "30/11"), ("fr", "30/11/202"), ("fr", "3O/11/2026"),
                                            ("fr", "30/11/2026 14:05")])
def test_what_is_not_a_date_says_how_to_type_one(language, text):
    i18n.set_language(language)
    reading = read_date(text)
    assert reading.value is None
    assert reading.problem == ("Date illisible\u00a0: saisissez-la sous la forme jj/mm/aaaa." if language == "fr"
                               else "Not a date: type it as mm/dd/yyyy.")


def test_day_first_in_french_january_is_not_december():
    i18n.set_language("fr")
    assert read_date("3/1/2026").value == date(2026, 1, 3)
    assert read_date("1/12/2026").value == date(2026, 12, 1)


def test_two_digit_years_only_when_the_field_is_left():
    i18n.set_language("fr")
    assert read_date("30/11/26").value is None
    assert read_date("30/11/26", lenient=True, today=date(2026, 12, 1)).value == date(2026, 11, 30)
    assert read_date("30/11/95", lenient=True, today=date(2026, 12, 1)).value == date(1995, 11, 30)


@pytest.mark.parametrize("text", ["30/11/2026 14:05", "30/11/2026 14h05", "30.11.2026 14.05", "30112026 1405",
                                  "30-11-2026 14:05"])
def test_date_and_time(text):
    i18n.set_language("fr")
    assert read_datetime(text).value == datetime(2026, 11, 30, 14, 5)


def test_a_date_time_needs_its_time():
    i18n.set_language("fr")
    assert read_datetime("30/11/2026").problem.endswith("jj/mm/aaaa hh:mm.")
    assert read_datetime("30/11/2026 24:00").value is None
