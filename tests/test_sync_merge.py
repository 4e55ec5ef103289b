"""The merge rule (docs/DESIGN.md 6.3) as a property: any order, any repetition, the same result."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.store.db import transaction
from fieldapp.store.sync_store import SyncStore, columns
from fieldapp.sync.merge import RecordState, TableMerger, differing, merge_version

SITES = ["00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b",
         "00000000-0000-4000-8000-00000000000c"]
PLACE_COLUMNS = columns("places")
HLC = PLACE_COLUMNS.index("hlc")
_FRESH = itertools.count(1)
CONTENT = tuple(i for i, name in enumerate(PLACE_COLUMNS) if name in ("name_en", "deleted"))


def stamp(wall: int, counter: int, site: str) -> str:
    return f"{wall:015d}.{counter:06d}.{site}"


def place_row(pcode: str, version: tuple) -> tuple:
    """A row of `places` for one version (wall, counter, site index, name, deleted)."""
    wall, counter, site, name, deleted = version
    values = {"pcode": pcode, "level": 2, "name_en": name, "name_fr": name, "parent_pcode": "CD61",
              "valid_on": None, "updated_at": "2026-06-01T08:00:00.000+00:00",
              "hlc": stamp(wall, counter, SITES[site]), "origin_site": SITES[site], "deleted": deleted}
    return tuple(values[name] for name in PLACE_COLUMNS)


# A version is identified by its stamp: the same stamp always carries the same content.
versions = st.dictionaries(
    keys=st.tuples(st.integers(1, 6), st.integers(0, 2), st.integers(0, 2)),
    values=st.tuples(st.sampled_from(["Beni", "Béni", "Beni-ville"]), st.sampled_from([0, 1])),
    min_size=1, max_size=8,
).map(lambda found: [key + value for key, value in found.items()])


def fold(rows, start: RecordState | None = None) -> RecordState:
    state = start or RecordState(None)
    for row in rows:
        merge_version(state, row, HLC)
    return state


def result(state: RecordState):
    return state.winner, dict(state.others), sorted(differing(state, CONTENT))


@given(versions, st.randoms(use_true_random=False), st.integers(0, 3))
@settings(max_examples=300, deadline=None)
def test_merging_is_commutative_and_idempotent(found, rng, repeats):
    rows = [place_row("CD6109", version) for version in found]
    first = fold(rows)
    shuffled = rows + [rng.choice(rows) for _ in range(repeats)]
    rng.shuffle(shuffled)
    second = fold(shuffled)
    assert result(first) == result(second)
    assert result(fold(rows, first)) == result(first)  # everything again: nothing changes
    assert first.winner[HLC] == max(row[HLC] for row in rows)  # the greatest stamp wins


@given(versions)
@settings(max_examples=100, deadline=None)
def test_each_other_site_keeps_its_newest_version_and_conflicts_are_the_differing_ones(found):
    rows = [place_row("CD6109", version) for version in found]
    state = fold(rows)
    winner_site = state.winner[HLC][23:]
    for site in {row[HLC][23:] for row in rows} - {winner_site}:
        assert state.others[site][HLC] == max(row[HLC] for row in rows if row[HLC][23:] == site)
    assert winner_site not in state.others
    for site, row in differing(state, CONTENT).items():
        assert (row[2], row[-1]) != (state.winner[2], state.winner[-1])


@given(versions, st.randoms(use_true_random=False))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_merging_through_the_database_gives_the_same_state_in_any_order(session, found, rng):
    """The same versions, merged in two orders into two records of a real vault, end up equal."""
    store = SyncStore(session.connection)
    pcodes = [f"CD{next(_FRESH):09d}" for _ in range(2)]  # fresh records: the session outlives examples
    for pcode in pcodes:
        rows = [place_row(pcode, version) for version in found]
        rng.shuffle(rows)
        with transaction(session.connection):
            for row in rows:  # one row per batch: every step goes through the stored state
                # Each version is sent by the site that wrote it, as bundles are.
                TableMerger(store, "places", row[HLC][23:], "bundle").merge_batch([row])
            TableMerger(store, "places", rows[0][HLC][23:], "bundle").merge_batch(rows)  # again, all at once

    def state_of(pcode):
        winner = store.local_rows("places", [pcode])[pcode]
        stored = sorted((v.site, v.hlc, v.differs, v.version["name_en"]) for v in
                        store.stored_versions("places", [pcode]).get(pcode, []))
        return winner[1:], stored

    assert state_of(pcodes[0]) == state_of(pcodes[1])
    expected = fold([place_row(pcodes[0], version) for version in found])
    assert state_of(pcodes[0])[0] == expected.winner[1:]
    assert len(state_of(pcodes[0])[1]) == len(expected.others)


def test_a_version_older_than_the_winner_from_the_same_site_is_no_conflict():
    newer, older = place_row("CD6109", (5, 0, 0, "Beni", 0)), place_row("CD6109", (3, 0, 0, "Béni", 0))
    state = fold([newer, older])
    assert state.winner == newer and state.others == {}
    mine = place_row("CD6109", (4, 0, 1, "Beni-ville", 0))
    assert merge_version(state, mine, HLC) == "unchanged"
    assert list(differing(state, CONTENT)) == [SITES[1]]


@pytest.mark.parametrize("order", [0, 1])
def test_a_tombstone_is_a_version_like_any_other(order):
    alive, dead = place_row("CD6109", (5, 0, 0, "Beni", 0)), place_row("CD6109", (6, 0, 1, "Beni", 1))
    rows = [alive, dead] if order == 0 else [dead, alive]
    state = fold(rows)
    assert state.winner == dead and differing(state, CONTENT) == {SITES[0]: alive}
