"""Hybrid logical clock (Kulkarni et al.): a timestamp that orders changes across sites.

A stamp is text `WWWWWWWWWWWWWWW.CCCCCC.SITE`: wall-clock milliseconds, a counter for changes within
one millisecond (or after a clock that went backwards), and the site id. Fixed-width fields make
text order equal time order, and the site id makes every stamp unique, so "greatest stamp wins"
never ties between two sites.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

_WALL_DIGITS = 15
_COUNTER_DIGITS = 6
_COUNTER_MAX = 10**_COUNTER_DIGITS - 1


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    site: str

    def __str__(self) -> str:
        return f"{self.wall_ms:0{_WALL_DIGITS}d}.{self.counter:0{_COUNTER_DIGITS}d}.{self.site}"

    @classmethod
    def parse(cls, text: str) -> "Stamp":
        wall, counter, site = text.split(".", 2)
        if len(wall) != _WALL_DIGITS or len(counter) != _COUNTER_DIGITS:
            raise ValueError(f"not a clock stamp: {text!r}")
        return cls(int(wall), int(counter), site)


class HybridClock:
    """One site's clock. `now()` stamps a local change; `observe()` folds in a remote stamp."""

    def __init__(self, site: str, last: str | None = None, wall_clock=None):
        self.site = site
        self._wall_clock = wall_clock or (lambda: int(time.time() * 1000))
        parsed = Stamp.parse(last) if last else None
        self._wall = parsed.wall_ms if parsed else 0
        self._counter = parsed.counter if parsed else 0

    def now(self) -> str:
        physical = self._wall_clock()
        if physical > self._wall:
            self._wall, self._counter = physical, 0
        else:
            self._counter += 1
            self._carry()
        return str(Stamp(self._wall, self._counter, self.site))

    def observe(self, remote: str) -> None:
        stamp = Stamp.parse(remote)
        physical = self._wall_clock()
        wall = max(self._wall, stamp.wall_ms, physical)
        if wall == self._wall == stamp.wall_ms:
            counter = max(self._counter, stamp.counter) + 1
        elif wall == self._wall:
            counter = self._counter + 1
        elif wall == stamp.wall_ms:
            counter = stamp.counter + 1
        else:
            counter = 0
        self._wall, self._counter = wall, counter
        self._carry()

    def _carry(self) -> None:
        # A full counter borrows the next millisecond rather than widening the stamp.
        if self._counter > _COUNTER_MAX:
            self._wall, self._counter = self._wall + 1, 0

    @property
    def last(self) -> str:
        return str(Stamp(self._wall, self._counter, self.site))
