"""Reading dates and times as people type them: any of / - . or space between the parts, or
digits only, in the order of the language (day first in French). No Qt: the GUI's date fields
and their tests call these.

Typed text is read whole, never part by part, so a day of 30 cannot push the month along
(what Qt's sectioned date edit did: "30/11/2026" became 30/12/2026).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from fieldapp.i18n import date_order

DATE_SEPARATORS = "/-. "
TIME_SEPARATORS = ":hH."
DATE_CHARACTERS = re.compile(r"^[0-9/\-. ]*$")
DATETIME_CHARACTERS = re.compile(r"^[0-9/\-. :hH]*$")
_NUMBERS = re.compile(r"\d+")


class Reading:
    """What a typed text says: a value, nothing (empty), or why it is not a date yet."""

    __slots__ = ("value", "problem")

    def __init__(self, value=None, problem: str = ""):
        self.value, self.problem = value, problem

    @property
    def empty(self) -> bool:
        return self.value is None and not self.problem


def _year(text: str, lenient: bool, today: date) -> int | None:
    if len(text) == 4:
        return int(text)
    if len(text) == 2 and lenient:
        # Two-digit years are read when the field is left: 26 → 2026, 95 → 1995.
        year = 2000 + int(text)
        return year if year <= today.year + 1 else year - 100
    return None


def _split_digits(digits: str, order: str) -> list[str] | None:
    """30112026 → 30, 11, 2026 in the order of the language (301126 with a two-digit year)."""
    if len(digits) not in (6, 8):
        return None
    year_length = len(digits) - 4
    widths = {"D": 2, "M": 2, "Y": year_length}
    parts, start = [], 0
    for letter in order:
        parts.append(digits[start:start + widths[letter]])
        start += widths[letter]
    return parts


def _date_from(parts: list[str], order: str, lenient: bool, today: date) -> date | None:
    if len(parts) != 3:
        return None
    if len(parts[0]) == 4:
        order = "YMD"  # 2026-11-30, as spreadsheets and ISO 8601 write it
    values = dict(zip(order, parts))
    year = _year(values["Y"], lenient, today)
    if year is None or not (1 <= len(values["D"]) <= 2 and 1 <= len(values["M"]) <= 2):
        return None
    try:
        return date(year, int(values["M"]), int(values["D"]))
    except ValueError:
        return None


def _date_and_rest(text: str, order: str, lenient: bool, today: date) -> tuple[date | None, list[str]]:
    """The date at the start of `text` and the numbers after it (a time, or nothing)."""
    numbers = _NUMBERS.findall(text)
    if not numbers:
        return None, []
    if len(numbers[0]) in (6, 8):
        parts = _split_digits(numbers[0], order)  # digits only: always the language's order
        return (_date_from(parts, order, lenient, today) if parts else None), numbers[1:]
    return _date_from(numbers[:3], order, lenient, today), numbers[3:]


def read_date(text: str, locale: str | None = None, lenient: bool = False, today: date | None = None) -> Reading:
    """A typed date. `lenient` also reads two-digit years (when the person leaves the field)."""
    text = text.strip()
    if not text:
        return Reading()
    problem = bad_date_message(locale)
    if not DATE_CHARACTERS.match(text):
        return Reading(problem=problem)
    value, rest = _date_and_rest(text, date_order(locale), lenient, today or date.today())
    if value is None or rest:
        return Reading(problem=problem)
    return Reading(value)


def read_datetime(text: str, locale: str | None = None, lenient: bool = False,
                  today: date | None = None) -> Reading:
    """A typed date and time (naive, in the laptop's local time): "30/11/2026 14:05", "14h05"…"""
    text = text.strip()
    if not text:
        return Reading()
    problem = bad_datetime_message(locale)
    if not DATETIME_CHARACTERS.match(text):
        return Reading(problem=problem)
    day, rest = _date_and_rest(text, date_order(locale), lenient, today or date.today())
    if day is None:
        return Reading(problem=problem)
    if len(rest) == 1 and len(rest[0]) in (3, 4):
        rest = [rest[0][:-2], rest[0][-2:]]  # 1405 → 14:05
    if len(rest) != 2 or len(rest[1]) != 2 or not 1 <= len(rest[0]) <= 2:
        return Reading(problem=problem)
    hour, minute = int(rest[0]), int(rest[1])
    if hour > 23 or minute > 59:
        return Reading(problem=problem)
    return Reading(datetime.combine(day, time(hour, minute)))


def date_hint(locale: str | None = None) -> str:
    """How to type a date in this language: jj/mm/aaaa, mm/dd/yyyy (translated letters)."""
    from fieldapp.i18n import _

    letters = {"D": _("dd"), "M": _("mm"), "Y": _("yyyy")}
    return "/".join(letters[letter] for letter in date_order(locale))


def datetime_hint(locale: str | None = None) -> str:
    # hh:mm reads the same in both languages (and is what the field shows), so it is not translated.
    return date_hint(locale) + " hh:mm"


def bad_date_message(locale: str | None = None) -> str:
    from fieldapp.i18n import _

    return _("Not a date: type it as {pattern}.").format(pattern=date_hint(locale))


def bad_datetime_message(locale: str | None = None) -> str:
    from fieldapp.i18n import _

    return _("Not a date and time: type it as {pattern}.").format(pattern=datetime_hint(locale))
