"""Small-cell suppression: no cell under 5 can be worked out from the other figures of its table.

The check here is independent of the module's own cycle search: it looks, by plain search over
whole tables, for another table that agrees with every published figure and with what the
markers say ("<5": 0 to 4; hidden: 5 or more) but differs in a suppressed cell.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp.domain.suppression import HIDDEN, SHOWN, SMALL, THRESHOLD, WITHHELD, protect, with_totals

# Another table, if one exists, differs from the true one by unit cycles (see the module): every
# cell within one of its true value. Searching two either side is ample and stays quick.
WINDOW = 2


def _domain(value: int, status: str) -> list[int]:
    if status == SHOWN:
        return [value]
    low, high = {SMALL: (0, THRESHOLD - 1), HIDDEN: (THRESHOLD, 10**9), WITHHELD: (0, 10**9)}[status]
    return [v for v in range(value - WINDOW, value + WINDOW + 1) if low <= v <= high]


def other_table_exists(values, status, target) -> bool:
    """Whether some table that a reader cannot tell apart from the published one has another value at
    `target`. Depth-first over the inner cells; totals follow from them and are checked."""
    rows, columns = len(values) - 1, len(values[0]) - 1
    cells = [(i, j) for i in range(rows) for j in range(columns)]
    chosen: dict[tuple[int, int], int] = {}

    def total_ok(value, i, j):
        return value in _domain(values[i][j], status[i][j]) if status[i][j] != SHOWN else value == values[i][j]

    def consistent(index) -> bool:
        i, j = cells[index]
        if j == columns - 1:  # row complete
            row_total = sum(chosen[(i, b)] for b in range(columns))
            if not total_ok(row_total, i, columns):
                return False
        if i == rows - 1:  # column complete
            column_total = sum(chosen[(a, j)] for a in range(rows))
            if not total_ok(column_total, rows, j):
                return False
            if j == columns - 1:
                grand = sum(chosen.values())
                if not total_ok(grand, rows, columns):
                    return False
        return True

    def search(index) -> bool:
        if index == len(cells):
            full = with_totals([[chosen[(i, j)] for j in range(columns)] for i in range(rows)])
            return full[target[0]][target[1]] != values[target[0]][target[1]]
        i, j = cells[index]
        for value in _domain(values[i][j], status[i][j]):
            chosen[(i, j)] = value
            if consistent(index) and search(index + 1):
                return True
        del chosen[(i, j)]
        return False

    return search(0)


tables = st.integers(1, 3).flatmap(lambda rows: st.integers(1, 3).flatmap(
    lambda columns: st.lists(st.lists(st.integers(0, 14), min_size=columns, max_size=columns),
                             min_size=rows, max_size=rows)))


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_suppressed_cell_can_be_worked_out_from_the_totals(counts):
    result = protect(counts)
    for i, row in enumerate(result.values):
        for j, value in enumerate(row):
            status = result.status[i][j]
            if value < THRESHOLD:
                assert status in (SMALL, WITHHELD), (counts, i, j)
            if status == SMALL:
                assert other_table_exists(result.values, result.status, (i, j)), (counts, result.status, i, j)


def test_a_row_total_does_not_give_away_its_only_small_cell():
    # Without more suppression, 12 - 9 = 3 would be read straight off the first row.
    result = protect([[3, 9], [7, 8]])
    assert result.status[0][0] == SMALL
    assert result.values[0][2] == 12
    assert other_table_exists(result.values, result.status, (0, 0))
    hidden = [(i, j) for i, row in enumerate(result.status) for j, s in enumerate(row) if s == HIDDEN]
    # One cell more in the first row and one in the first column, and the fourth closing the square.
    assert {(0, 1), (1, 0), (1, 1)} <= set(hidden)
    assert result.status[2][2] == SHOWN, "the grand total stays published"


def test_the_checker_finds_a_cell_that_the_totals_give_away():
    values = with_totals([[3, 9], [7, 8]])
    naive = [[SMALL if v < THRESHOLD else SHOWN for v in row] for row in values]
    assert not other_table_exists(values, naive, (0, 0))


def test_a_table_of_large_counts_is_published_whole():
    result = protect([[10, 20], [30, 40]])
    assert all(status == SHOWN for row in result.status for status in row)
    assert result.values[2] == [40, 60, 100]
