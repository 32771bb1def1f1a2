"""The read step: the sheet's rows, parsed, grouped into households (the units written whole).

A residents sheet gives a household by 户编号 (the same number in another grid is another
household: numbers repeat across villages) or, without numbers, by consecutive rows from a 户主
row; a household never runs on into the next sheet. A households sheet is one household a row.
Rows that name nobody, or hold totals and signatures, are counted as skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from xiangzhi.core.sheets import ImportReport, SheetRow

from ...models import Resident
from .cells import Row, not_a_person


def households(
    rows: Iterator[SheetRow],
    parse: Callable[[str, int, dict], Row],
    *,
    kind: str,
    report: ImportReport,
) -> Iterator[list[Row]]:
    """Group the rows into households; `parse(sheet, number, values)` reads a row."""
    current: list[Row] | None = None
    current_number = None
    current_grid = ""
    current_sheet = None
    for sheet, number, values in rows:
        if not_a_person(values):
            report.skipped += 1
            continue
        row = parse(sheet, number, values)
        if sheet != current_sheet:  # a household never runs on into the next sheet
            if current:
                yield current
            current, current_number, current_grid, current_sheet = None, None, "", sheet
        if kind == "households":
            yield [row]
            continue
        if row.household_number:
            # The same 户编号 in another grid is another household (numbers repeat across
            # villages).
            same_grid = not row.grid or not current_grid or row.grid == current_grid
            if current is not None and current_number == row.household_number and same_grid:
                current.append(row)
                current_grid = current_grid or row.grid
            else:
                if current:
                    yield current
                current, current_number, current_grid = [row], row.household_number, row.grid
        elif row.data.relation == Resident.Relation.HEAD or row.relation_unknown:
            # A row whose relation cannot be read may be the next family's head: the rows
            # after it must not run on into the previous household.
            if current:
                yield current
            current, current_number, current_grid = [row], None, row.grid
        elif current is not None:
            current.append(row)
        else:
            row.fail(
                "relation", "无法确定该行属于哪一户：前面没有“与户主关系”为户主的行，也没有户编号"
            )
            yield [row]
    if current:
        yield current
