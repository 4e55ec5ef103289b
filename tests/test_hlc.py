"""The hybrid logical clock: stamps only move forward, even when the wall clock does not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fieldapp.sync.hlc import HybridClock, Stamp


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
