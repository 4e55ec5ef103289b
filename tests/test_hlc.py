"""The hybrid logical clock: stamps only move forward, even when the wall clock does not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fieldapp.core.hlc import HybridClock, Stamp


@given(st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=60))
def test_stamps_strictly_increase_whatever_the_wall_clock_does(walls):
    readings = iter(walls)
    clock = HybridClock("site-a", wall_clock=lambda: next(readings))
    stamps = [clock.now() for _ in walls]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    assert all(Stamp.parse(s).site == "site-a" for s in stamps)


@given(st.integers(min_value=0, max_value=10**13), st.integers(min_value=0, max_value=10**13),
       st.integers(min_value=0, max_value=999))
def test_a_remote_stamp_is_always_overtaken_by_the_next_local_one(local_wall, remote_wall, remote_counter):
    remote = str(Stamp(remote_wall, remote_counter, "site-b"))
    clock = HybridClock("site-a", wall_clock=lambda: local_wall)
    clock.observe(remote)
    mine, theirs = Stamp.parse(clock.now()), Stamp.parse(remote)
    assert (mine.wall_ms, mine.counter) > (theirs.wall_ms, theirs.counter)


def test_observe_then_now_orders_after_remote():
    clock = HybridClock("a", wall_clock=lambda: 1000)
    clock.observe(str(Stamp(5000, 7, "b")))
    assert clock.now() > str(Stamp(5000, 7, "b"))


def test_a_full_counter_borrows_the_next_millisecond():
    clock = HybridClock("a", last=str(Stamp(1000, 999_999, "a")), wall_clock=lambda: 1000)
    assert Stamp.parse(clock.now()) == Stamp(1001, 0, "a")


# -- the stamp format is never left -----------------------------------------------------------
from datetime import datetime, timezone  # noqa: E402

import pytest  # noqa: E402

from fieldapp.core.hlc import ClockError, clock_warnings  # noqa: E402

END = "999999999999999.999999.b"


def test_observing_the_last_stamp_of_the_range_is_refused_and_leaves_the_clock_as_it_was():
    clock = HybridClock("a", last=str(Stamp(1000, 3, "a")), wall_clock=lambda: 2000)
    with pytest.raises(ClockError, match="end of its range"):
        clock.observe(END)
    assert clock.last == str(Stamp(1000, 3, "a"))
    Stamp.parse(clock.now())


@given(st.lists(st.one_of(st.tuples(st.just("now"), st.integers(0, 10**15 + 5)),
                          st.tuples(st.just("observe"), st.integers(10**15 - 3, 10**15 - 1),
                                    st.integers(999_990, 999_999))), min_size=1, max_size=30))
def test_whatever_it_observes_the_clock_gives_stamps_in_format_or_refuses(steps):
    wall = [0]
    clock = HybridClock("a", wall_clock=lambda: wall[0])
    for kind, value, *counter in steps:
        try:
            if kind == "now":
                wall[0] = value
                Stamp.parse(clock.now())
            else:
                clock.observe(str(Stamp(value, counter[0], "b")))
        except ClockError:
            pass
        Stamp.parse(clock.last)


def test_a_stored_clock_out_of_format_resumes_from_the_newest_stamp_of_this_site():
    own = str(Stamp(5000, 2, "a"))
    clock = HybridClock.resume("a", "1000000000000000.000000.a", lambda: own, wall_clock=lambda: 1000)
    assert clock.damaged == "1000000000000000.000000.a"
    assert clock.now() > own
    fresh = HybridClock.resume("a", None, lambda: own, wall_clock=lambda: 1000)
    assert not fresh.damaged


# -- the warnings shown at unlock ---------------------------------------------------------------
def _ms(*args) -> int:
    return int(datetime(*args, tzinfo=timezone.utc).timestamp() * 1000)


def test_no_warning_when_the_laptop_clock_is_right():
    clock = HybridClock("a", last=str(Stamp(_ms(2026, 12, 2, 8), 0, "a")), wall_clock=lambda: _ms(2026, 12, 2, 9))
    assert clock_warnings(clock, release="2026-12-01") == []


def test_a_laptop_clock_earlier_than_the_release_is_told():
    clock = HybridClock("a", wall_clock=lambda: _ms(2000, 1, 1))  # a dead CMOS battery
    [warning] = clock_warnings(clock, release="2026-12-01")
    assert "earlier than the release of this version of fieldapp (December 1, 2026)" in warning
    assert warning.startswith("This laptop's clock reads ")


def test_a_laptop_clock_earlier_than_the_last_stamp_is_told_with_the_offset():
    clock = HybridClock("a", last=str(Stamp(_ms(2027, 3, 1), 0, "a")), wall_clock=lambda: _ms(2027, 1, 30))
    [warning] = clock_warnings(clock, release="2026-12-01")
    assert "30 days earlier than the last change recorded in the vault" in warning
    drift = HybridClock("a", last=str(Stamp(_ms(2027, 3, 1, 0, 5), 0, "a")), wall_clock=lambda: _ms(2027, 3, 1))
    assert clock_warnings(drift, release="2026-12-01") == []  # five minutes: ordinary drift
