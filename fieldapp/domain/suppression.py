"""Small-cell suppression for the information-sharing statistics (docs/DESIGN.md 9).

A table of counts is published with its row totals, column totals and grand total. Every cell
under 5 (totals included) is shown as "<5" (primary suppression). Where the published figures
would still let a reader work out such a cell (a row total minus the other cells of the row, or
subtler chains through several rows and columns), more cells are hidden (complementary
suppression), chosen as small as possible and preferring inner cells to totals.

The check is exact. Write each total with a minus sign (y = -R_i, -C_j, +G, x inside): then every
row and every column of the extended table sums to zero, and any other table the reader could
believe differs from the true one by a sum of alternating cycles over the suppressed cells (the
constraint matrix is a network matrix, so integer steps of one suffice). A suppressed cell can
therefore take another value exactly when a cycle through it can move by one without leaving what
the reader knows: "<5" cells stay within 0..4, hidden cells stay at 5 or more.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

THRESHOLD = 5
SHOWN, SMALL, HIDDEN, WITHHELD = "shown", "small", "hidden", "withheld"
# Hiding a total costs more than hiding an inner cell of the same size: a table whose totals are
# gone tells a reader much less.
TOTAL_PENALTY = 1000
GRAND_PENALTY = 100000


@dataclass(frozen=True)
class Protected:
    """A table with its totals (last row: column totals, last column: row totals) and what may be
    shown of each cell."""

    values: list[list[int]]
    status: list[list[str]]

    def shown(self, row: int, column: int) -> int | None:
        return self.values[row][column] if self.status[row][column] == SHOWN else None


def with_totals(counts: list[list[int]]) -> list[list[int]]:
    """The table with a total column and a total row added."""
    width = len(counts[0]) if counts else 0
    table = [list(row) + [sum(row)] for row in counts]
    table.append([sum(row[j] for row in table) for j in range(width + 1)])
    return table


def _bounds(value: int, status: str) -> tuple[int, float] | None:
    """What a reader knows of a cell: None when its value is printed."""
    if status == SMALL:
        return 0, THRESHOLD - 1
    if status == HIDDEN:
        return THRESHOLD, float("inf")
    if status == WITHHELD:
        return 0, float("inf")
    return None


def _sign(table, i: int, j: int) -> int:
    last_row, last_column = len(table) - 1, len(table[0]) - 1
    return -1 if (i == last_row) != (j == last_column) else 1


def _moves(table, status, i: int, j: int, as_status: str | None = None) -> tuple[bool, bool]:
    """(y may go up by one, y may go down by one) for a suppressed cell (or a shown one if hidden)."""
    value = table[i][j]
    low, high = _bounds(value, as_status or status[i][j])
    up, down = value < high, value > low
    return (up, down) if _sign(table, i, j) > 0 else (down, up)


def _edges(table, status, skip: tuple[int, int], candidates: bool):
    """Directed edges between row nodes ("r", i) and column nodes ("c", j): row → column when the
    cell's y can rise, column → row when it can fall. With `candidates`, shown cells count too,
    at the cost of hiding them."""
    rows, columns = len(table), len(table[0])
    graph: dict[tuple[str, int], list[tuple[tuple[str, int], int, tuple[int, int]]]] = {}
    for i in range(rows):
        for j in range(columns):
            if (i, j) == skip:
                continue
            cost = 0
            if status[i][j] == SHOWN:
                if not candidates:
                    continue
                cost = table[i][j] + (GRAND_PENALTY if (i == rows - 1 and j == columns - 1) else
                                      TOTAL_PENALTY if (i == rows - 1 or j == columns - 1) else 0)
                up, down = _moves(table, status, i, j, HIDDEN)
            else:
                up, down = _moves(table, status, i, j)
            if up:
                graph.setdefault(("r", i), []).append((("c", j), cost, (i, j)))
            if down:
                graph.setdefault(("c", j), []).append((("r", i), cost, (i, j)))
    return graph


def _cheapest_path(graph, start, goal) -> tuple[float, list[tuple[int, int]]] | None:
    best = {start: 0}
    queue = [(0, 0, start, ())]
    counter = 0
    while queue:
        cost, _order, node, path = heapq.heappop(queue)
        if node == goal:
            return cost, list(path)
        if cost > best.get(node, float("inf")):
            continue
        for target, step, cell in graph.get(node, ()):
            total = cost + step
            if total < best.get(target, float("inf")):
                best[target] = total
                counter += 1
                heapq.heappush(queue, (total, counter, target, path + (cell,)))
    return None


def _cycle(table, status, i: int, j: int, candidates: bool) -> tuple[float, list[tuple[int, int]]] | None:
    """The cheapest cycle through suppressed cell (i, j), as the cells it passes through."""
    up, down = _moves(table, status, i, j)
    graph = _edges(table, status, (i, j), candidates)
    found = []
    if up:  # y rises here: come back from column j to row i
        found.append(_cheapest_path(graph, ("c", j), ("r", i)))
    if down:
        found.append(_cheapest_path(graph, ("r", i), ("c", j)))
    found = [item for item in found if item is not None]
    return min(found, key=lambda item: item[0]) if found else None


def is_recoverable(table: list[list[int]], status: list[list[str]], i: int, j: int) -> bool:
    """Whether a reader of the published cells can work out suppressed cell (i, j) exactly."""
    return _cycle(table, status, i, j, candidates=False) is None


def protect(counts: list[list[int]]) -> Protected:
    """Suppress every cell under 5 and enough others that none of them can be worked out."""
    table = with_totals(counts)
    status = [[SMALL if value < THRESHOLD else SHOWN for value in row] for row in table]
    for i, row in enumerate(table):
        for j in range(len(row)):
            if status[i][j] != SMALL or not is_recoverable(table, status, i, j):
                continue
            found = _cycle(table, status, i, j, candidates=True)
            if found is None:
                # No choice of cells can hide it (a corner case of 4s and 5s): publish the table's
                # shape only, every figure withheld.
                return Protected(table, [[WITHHELD] * len(row) for row in table])
            for a, b in found[1]:
                if status[a][b] == SHOWN:
                    status[a][b] = HIDDEN
    return Protected(table, status)
