"""Stream the data rows of one sheet below its header: merged cells filled, empty rows and copies
of the header skipped, hidden rows set aside, error cells marked, and each key's value picked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from .cells import ErrorCell, present
from .header import Header, HeaderRepeats
from .read import Range, SheetRows


@dataclass
class SheetPart:
    """One sheet to read: its header and where its data rows start."""

    sheet: SheetRows
    header: Header
    mapped: dict[str, list[int]]  # key -> indexes into the sheet's rows
    pending: list[list[object]]  # rows read while looking for the header, after it
    number: int  # the Excel number of the first data row
    repeats: HeaderRepeats


def data_rows(part: SheetPart, hidden_out: list) -> Iterator[tuple[str, int, dict[str, object]]]:
    """The data rows of one sheet. Merged cells are filled with their top-left value (a 村组 or
    住址 merged over a household's rows belongs to each of them); a row counts as empty, and a
    row as a copy of the header, by what was typed in it, before the filling. Of two columns
    for one key (联系电话 and 手机号), a row takes the first that is not empty. A row the sheet
    hides is not read (what the cadre sees is what is imported): it goes to `hidden_out`."""
    sheet, repeats = part.sheet, part.repeats
    hidden, errors = sheet.marks.hidden, sheet.marks.errors
    name, col0 = sheet.name, sheet.first_col
    keys = _Keys(part.mapped)
    indexes = keys.indexes
    width = indexes[-1] + 1  # rows are as wide as the used range, which holds the header
    merges = _Merges(
        _data_merges(sheet.merges, part.number - 1, {col0 + i for i in indexes}), col0, errors
    )
    sheet.merges = []
    number = part.number
    for row in chain(part.pending, sheet.rows):
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        r = number - 1
        number += 1
        merges.reach(row, r)
        if not _typed(row, indexes) or repeats.match(row):
            continue
        if hidden and r + 1 in hidden:
            hidden_out.append((name, r + 1))
            continue
        if errors and r + 1 in errors:
            # After the empty-row check: formulas dragged down below the list (#N/A in rows that
            # hold nothing else) are no rows.
            _mark_errors(row, errors[r + 1], col0)
        merges.fill(row, r)
        yield name, r + 1, keys.values(row)


def _typed(row: list[object], indexes: list[int]) -> bool:
    """Tell whether any mapped cell of the row holds something."""
    for i in indexes:
        if present(row[i]):
            return True
    return False


def _mark_errors(row: list[object], errors: dict[int, str], col0: int) -> None:
    """Put an ErrorCell into each cell of the row that shows a formula's error."""
    for c, value in errors.items():
        if 0 <= c - col0 < len(row):
            row[c - col0] = ErrorCell(value)


class _Keys:
    """The mapped columns of one sheet: a key in one column, or in several (联系电话, 手机号)."""

    def __init__(self, mapped: dict[str, list[int]]):
        self.single = [(k, ix[0]) for k, ix in mapped.items() if len(ix) == 1]
        self.several = [(k, ix) for k, ix in mapped.items() if len(ix) > 1]
        self.indexes = sorted(i for ix in mapped.values() for i in ix)

    def values(self, row: list[object]) -> dict[str, object]:
        """Pick each key's value from the row; of several columns, the first that is not empty."""
        values = {k: row[i] for k, i in self.single}
        for k, ix in self.several:
            given = [row[i] for i in ix if present(row[i])]
            # A 手机号 typed beside a 联系电话 that shows #N/A is the one to read.
            values[k] = next(
                (v for v in given if type(v) is not ErrorCell), given[0] if given else row[ix[0]]
            )
        return values


class _Merges:
    """The merged ranges among one sheet's data rows, each filled with its top-left value."""

    def __init__(self, ranges: list, col0: int, errors: dict[int, dict[int, str]]):
        self.ranges = ranges  # (top row, left column, bottom row, right column), by top row
        self.col0, self.errors = col0, errors
        self.next = 0  # the first range not opened yet
        self.active: list[tuple[int, int, int, int, object]] = []  # (last row, top, c0, c1, value)

    def reach(self, row: list[object], r: int) -> None:
        """Open the ranges that start at row r with their values, and close those that ended."""
        ranges, col0, errors = self.ranges, self.col0, self.errors
        while self.next < len(ranges) and ranges[self.next][0] <= r:
            r0, c0, r1, c1 = ranges[self.next]
            value = row[c0 - col0] if 0 <= c0 - col0 < len(row) else ""
            if errors and c0 in errors.get(r + 1, ()):  # a merged 所属网格 showing #N/A
                value = ErrorCell(errors[r + 1][c0])
            self.active.append((r1, r0, c0, c1, value))
            self.next += 1
        if self.active:
            self.active = [a for a in self.active if a[0] >= r]

    def fill(self, row: list[object], r: int) -> None:
        """Write the open ranges' values into the cells of row r that they cover."""
        col0 = self.col0
        for _, r0, c0, c1, value in self.active:
            for c in range(max(c0, col0), min(c1 + 1, col0 + len(row))):
                if r != r0 or c != c0:
                    row[c - col0] = value


def _data_merges(merges: list[Range], first_row: int, columns: set[int]) -> list:
    """The merged ranges to fill: those that start among the data rows and run down over several
    rows within one mapped column (a 村组 or 住址 shared by a household's rows), as (top row, left
    column, bottom row, right column) sorted by their top row. A range that starts in the header
    or above is not filled into the data, nor is one across several mapped columns: that is
    layout (a section title 第一村民小组 or a footnote merged across the table), not a value of
    each cell it covers."""
    return sorted(
        (r0, c0, r1, c1)
        for (r0, c0), (r1, c1) in merges
        if r0 >= first_row and r1 > r0 and sum(c0 <= c <= c1 for c in columns) == 1
    )
