"""Hybrid logical clock (Kulkarni et al.): a timestamp that orders changes across sites.

A stamp is text `WWWWWWWWWWWWWWW.CCCCCC.SITE`: wall-clock milliseconds, a counter for changes within
one millisecond (or after a clock that went backwards), and the site id. Fixed-width fields make
text order equal time order, and the site id makes every stamp unique, so "greatest stamp wins"
never ties between two sites. The clock never leaves that format: a change that would need a
wider field is refused (ClockError) rather than written.

Laptops' clocks drift and reset (docs/DESIGN.md 5, Clocks): a received stamp more than MAX_AHEAD_MS
ahead of this laptop's clock is refused at import, and `clock_warnings` tells, at unlock, when
this laptop's clock reads earlier than the vault's last stamp or than the release of the app.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable

from fieldapp import RELEASE_DATE
from fieldapp.errors import FieldappError
from fieldapp.i18n import _, format_datetime, format_date, format_number, ngettext

_WALL_DIGITS = 15
_COUNTER_DIGITS = 6
_WALL_MAX = 10**_WALL_DIGITS - 1
_COUNTER_MAX = 10**_COUNTER_DIGITS - 1
MAX_AHEAD_MS = 24 * 3600 * 1000
# Below this difference a laptop clock behind the last stamp is ordinary drift, not worth a warning.
_BEHIND_SLACK_MS = 10 * 60 * 1000


class ClockError(FieldappError):
    """The clock cannot give a stamp within its format; nothing was written."""


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    site: str

    def __str__(self) -> str:
        if not (0 <= self.wall_ms <= _WALL_MAX and 0 <= self.counter <= _COUNTER_MAX):
            raise ClockError(_("The vault's clock has reached the end of its range; no change can be stamped."))
        return f"{self.wall_ms:0{_WALL_DIGITS}d}.{self.counter:0{_COUNTER_DIGITS}d}.{self.site}"

    @classmethod
    def parse(cls, text: str) -> "Stamp":
        wall, counter, site = (text.split(".", 2) + ["", ""])[:3] if isinstance(text, str) else ("", "", "")
        if not (len(wall) == _WALL_DIGITS and wall.isascii() and wall.isdigit()
                and len(counter) == _COUNTER_DIGITS and counter.isascii() and counter.isdigit() and site):
            raise ValueError(f"not a clock stamp: {text!r}")
        return cls(int(wall), int(counter), site)


def _physical_ms() -> int:
    return int(time.time() * 1000)


class HybridClock:
    """One site's clock. `now()` stamps a local change; `observe()` folds in a remote stamp."""

    def __init__(self, site: str, last: str | None = None, wall_clock: Callable[[], int] | None = None):
        self.site = site
        self._wall_clock = wall_clock or _physical_ms
        parsed = Stamp.parse(last) if last else None
        self._wall = parsed.wall_ms if parsed else 0
        self._counter = parsed.counter if parsed else 0
        self.damaged = ""  # the stored text this clock replaced, when it could not resume from it

    @classmethod
    def resume(cls, site: str, last: str | None, newest_own: Callable[[], str | None],
               wall_clock: Callable[[], int] | None = None) -> "HybridClock":
        """The clock as the vault stored it; if that is not a usable stamp (damaged, or at the very
        end of its range), from the newest stamp this site wrote, so its own stamps keep increasing."""
        try:
            clock = cls(site, last, wall_clock)
            if clock._wall < _WALL_MAX:
                return clock
        except ValueError:
            pass
        try:
            clock = cls(site, newest_own(), wall_clock)
        except ValueError:
            clock = cls(site, None, wall_clock)
        clock.damaged = str(last)
        return clock

    def physical_ms(self) -> int:
        return self._wall_clock()

    def now(self) -> str:
        physical = min(self._wall_clock(), _WALL_MAX)
        wall, counter = (physical, 0) if physical > self._wall else (self._wall, self._counter + 1)
        wall, counter = _carried(wall, counter)
        self._wall, self._counter = wall, counter
        return str(Stamp(wall, counter, self.site))

    def observe(self, remote: str) -> None:
        stamp = Stamp.parse(remote)
        physical = min(self._wall_clock(), _WALL_MAX)
        wall = max(self._wall, stamp.wall_ms, physical)
        if wall == self._wall == stamp.wall_ms:
            counter = max(self._counter, stamp.counter) + 1
        elif wall == self._wall:
            counter = self._counter + 1
        elif wall == stamp.wall_ms:
            counter = stamp.counter + 1
        else:
            counter = 0
        # Computed apart and assigned only when valid: a refused stamp leaves the clock as it was.
        self._wall, self._counter = _carried(wall, counter)

    @property
    def last(self) -> str:
        return str(Stamp(self._wall, self._counter, self.site))

    @property
    def last_wall_ms(self) -> int:
        return self._wall


def _carried(wall: int, counter: int) -> tuple[int, int]:
    # A full counter borrows the next millisecond rather than widening the stamp.
    if counter > _COUNTER_MAX:
        wall, counter = wall + 1, 0
    if wall > _WALL_MAX:
        raise ClockError(_("The vault's clock has reached the end of its range; no change can be stamped."))
    return wall, counter


def describe_offset(milliseconds: int) -> str:
    """A clock difference as a person says it: "30 hours", "12 days", "74 years"."""
    hours = -(-abs(milliseconds) // 3_600_000)  # rounded up: 24 h 10 min is past "24 hours"
    if hours < 72:
        return ngettext("{n} hour", "{n} hours", hours).format(n=format_number(hours))
    days = hours // 24
    if days < 730:
        return ngettext("{n} day", "{n} days", days).format(n=format_number(days))
    years = days // 365
    return ngettext("{n} year", "{n} years", years).format(n=format_number(years))


def _moment(milliseconds: int) -> str:
    try:
        return format_datetime(datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc), "short")
    except (ValueError, OverflowError, OSError):
        return _("year {year} or later").format(year=9999)


def clock_warnings(clock: HybridClock, release: str = RELEASE_DATE) -> list[str]:
    """What to tell the user at unlock, before anything is written: this laptop's clock reads
    earlier than the vault's last stamp or than the release of this version, or the vault's
    stored clock was damaged and set again."""
    warnings = []
    if clock.damaged:
        warnings.append(_("The vault's clock was damaged (“{stored}”); it was set again from this site's own "
                          "records and this laptop's clock.").format(stored=clock.damaged[:60]))
    physical = clock.physical_ms()
    released = date.fromisoformat(release)
    if datetime.fromtimestamp(physical / 1000, tz=timezone.utc).date() < released:
        warnings.append(_("This laptop's clock reads {now}, earlier than the release of this version of fieldapp "
                          "({release}): set the right date and time before you record anything.").format(
            now=_moment(physical), release=format_date(released, "long")))
    elif clock.last_wall_ms - physical > _BEHIND_SLACK_MS:
        warnings.append(_("This laptop's clock reads {now}, {offset} earlier than the last change recorded in the "
                          "vault ({last}): check the date and time before you record anything; changes stamped "
                          "with a wrong clock can lose against older ones.").format(
            now=_moment(physical), offset=describe_offset(clock.last_wall_ms - physical),
            last=_moment(clock.last_wall_ms)))
    return warnings
