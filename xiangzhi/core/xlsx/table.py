"""Read a table out of a workbook: find each visible sheet's header, keep the sheets that have
every required column, and stream their data rows numbered as Excel shows them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from .header import Column, ColumnNames, Header, HeaderRepeats, find_header, map_columns
from .read import SheetError, SheetRows, open_sheets
from .rows import SheetPart, data_rows

HEADER_SCAN_ROWS = 20


@dataclass
class Table:
    """What read_table found. header_row, columns and labels describe the first sheet read,
    `headers` every sheet's, and `unknown` the unknown headers of all of them. `rows` yields
    (sheet name, row number as Excel shows it, {key: raw value}) over the sheets in turn; each
    row's dict holds exactly the keys that its own sheet's header maps."""

    header_row: int  # as Excel numbers it
    columns: dict[str, int]  # key -> column index (0 is column A)
    labels: dict[str, str]  # key -> the header text found in the file
    unknown: list[str] = field(default_factory=list)
    rows: Iterator[tuple[str, int, dict[str, object]]] = iter(())
    sheets: list[str] = field(default_factory=list)  # the sheets read, in workbook order
    headers: list[Header] = field(default_factory=list)  # one per sheet read
    # Sheets with a header that lacks a required column, beside complete ones (`missing` says
    # which); the caller decides whether such a sheet is another list or a broken roster.
    skipped_sheets: list[Header] = field(default_factory=list)
    # (sheet, row) of the data rows not read because the sheet hides them (filtered out, or
    # hidden by hand); filled while `rows` is consumed.
    hidden: list[tuple[str, int]] = field(default_factory=list)


def read_table(source, columns: list[Column], *, required: Iterable[str]) -> Table:
    """Read every visible sheet that has a header (a header names at least two columns; sheets
    without one, such as 填表说明 or a summary, are skipped), map its columns, and return the
    data rows numbered as Excel shows them. Only the first rows of each sheet are kept while
    looking for its header; the data rows stream."""
    required = list(required)
    names = ColumnNames(columns)
    parts: list[SheetPart] = []
    incomplete: list[Header] = []  # sheets whose header lacks a required column
    anything = False
    for sheet in open_sheets(source):
        anything = True
        part = _sheet_part(sheet, columns, required, names)
        if part is None:
            continue
        if part.header.missing:
            incomplete.append(part.header)
        else:
            parts.append(part)
    if not anything:
        raise SheetError("表格是空的，没有任何数据。")
    if not parts:
        raise _no_header(columns, required, incomplete)
    return _table(parts, incomplete)


def _sheet_part(
    sheet: SheetRows, columns: list[Column], required: list[str], names: ColumnNames
) -> SheetPart | None:
    """Find the sheet's header among its first rows and map it; None when it has none."""
    head = list(islice(sheet.rows, HEADER_SCAN_ROWS))
    found = find_header(head, names)
    if found is None:
        return None
    best, last_header, header = found
    mapped, labels, unknown = map_columns(header, names)
    missing = [c.label for c in columns if c.key in required and c.key not in mapped]
    first = {k: sheet.first_col + ix[0] for k, ix in mapped.items()}
    return SheetPart(
        sheet=sheet,
        header=Header(sheet.name, sheet.first_row + best, first, labels, unknown, missing),
        mapped=mapped,
        pending=head[last_header + 1 :],
        number=sheet.first_row + last_header + 1,
        repeats=HeaderRepeats([*head[: last_header + 1], header]),
    )


def _no_header(columns: list[Column], required: list[str], incomplete: list[Header]):
    """Make the error for a workbook in which no sheet has a complete header."""
    if incomplete:
        name, missing = incomplete[0].sheet, incomplete[0].missing
        where = f"工作表“{name}”的" if len(incomplete) > 1 else ""
        return SheetError(f"{where}表头缺少必需的列：{'、'.join(missing)}。")
    labels = "、".join(c.label for c in columns if c.key in required)
    return SheetError(f"没有找到表头。请确认表格中有一行列名，至少包含：{labels}。")


def _table(parts: list[SheetPart], incomplete: list[Header]) -> Table:
    """Make the Table of the complete sheets, the first one's header leading."""
    # Beside a complete sheet, one that lacks a required column is another list (a 汇总 of
    # households per group, a list of party members): skipped, and said so in the report.
    unknown = list(dict.fromkeys(u for p in parts for u in p.header.unknown))
    first = parts[0].header
    hidden: list[tuple[str, int]] = []
    return Table(
        header_row=first.row,
        columns=first.columns,
        labels=first.labels,
        unknown=unknown,
        rows=chain.from_iterable(data_rows(p, hidden) for p in parts),
        sheets=[p.header.sheet for p in parts],
        headers=[p.header for p in parts],
        skipped_sheets=incomplete,
        hidden=hidden,
    )
