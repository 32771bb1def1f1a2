"""The spreadsheet engine: read the 台账 that cadres really keep (python-calamine, streaming) and
write lists back as .xlsx (openpyxl write-only). Apps declare their columns in their own
`xlsx.py`; this module knows sheets, headers and cell values, not the domain."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from .cells import ErrorCell, present
from .header import Column, ColumnNames, Header, HeaderRepeats, find_header, map_columns
from .read import Range, SheetError, SheetRows, open_sheets

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


@dataclass
class _Part:
    """One sheet to read: its header and where its data rows start."""

    sheet: SheetRows
    header: Header
    mapped: dict[str, list[int]]  # key -> indexes into the sheet's rows
    pending: list[list[object]]  # rows read while looking for the header, after it
    number: int  # the Excel number of the first data row
    repeats: HeaderRepeats


def read_table(source, columns: list[Column], *, required: Iterable[str]) -> Table:
    """Read every visible sheet that has a header (a header names at least two columns; sheets
    without one, such as 填表说明 or a summary, are skipped), map its columns, and return the
    data rows numbered as Excel shows them. Only the first rows of each sheet are kept while
    looking for its header; the data rows stream."""
    required = list(required)
    names = ColumnNames(columns)
    parts: list[_Part] = []
    incomplete: list[Header] = []  # sheets whose header lacks a required column
    anything = False
    for sheet in open_sheets(source):
        anything = True
        head = list(islice(sheet.rows, HEADER_SCAN_ROWS))
        found = find_header(head, names)
        if found is None:
            continue
        best, last_header, header = found
        mapped, labels, unknown = map_columns(header, names)
        missing = [c.label for c in columns if c.key in required and c.key not in mapped]
        first = {k: sheet.first_col + ix[0] for k, ix in mapped.items()}
        if missing:
            incomplete.append(
                Header(sheet.name, sheet.first_row + best, first, labels, unknown, missing)
            )
            continue
        parts.append(
            _Part(
                sheet=sheet,
                header=Header(sheet.name, sheet.first_row + best, first, labels, unknown),
                mapped=mapped,
                pending=head[last_header + 1 :],
                number=sheet.first_row + last_header + 1,
                repeats=HeaderRepeats([*head[: last_header + 1], header]),
            )
        )
    if not anything:
        raise SheetError("表格是空的,没有任何数据。")
    if incomplete and not parts:
        name, missing = incomplete[0].sheet, incomplete[0].missing
        where = f"工作表“{name}”的" if len(incomplete) > 1 else ""
        raise SheetError(f"{where}表头缺少必需的列:{'、'.join(missing)}。")
    # Beside a complete sheet, one that lacks a required column is another list (a 汇总 of
    # households per group, a list of party members): skipped, and said so in the report.
    if not parts:
        labels = "、".join(c.label for c in columns if c.key in required)
        raise SheetError(f"没有找到表头。请确认表格中有一行列名,至少包含:{labels}。")
    unknown = list(dict.fromkeys(u for p in parts for u in p.header.unknown))
    first = parts[0].header
    hidden: list[tuple[str, int]] = []
    return Table(
        header_row=first.row,
        columns=first.columns,
        labels=first.labels,
        unknown=unknown,
        rows=chain.from_iterable(_data(p, hidden) for p in parts),
        sheets=[p.header.sheet for p in parts],
        headers=[p.header for p in parts],
        skipped_sheets=incomplete,
        hidden=hidden,
    )


def _data(part: _Part, hidden_out: list) -> Iterator[tuple[str, int, dict[str, object]]]:
    """The data rows of one sheet. Merged cells are filled with their top-left value (a 村组 or
    住址 merged over a household's rows belongs to each of them); a row counts as empty, and a
    row as a copy of the header, by what was typed in it, before the filling. Of two columns
    for one key (联系电话 and 手机号), a row takes the first that is not empty. A row the sheet
    hides is not read (what the cadre sees is what is imported): it goes to `hidden_out`."""
    sheet, mapped, repeats = part.sheet, part.mapped, part.repeats
    hidden, errors = sheet.marks.hidden, sheet.marks.errors
    name, col0 = sheet.name, sheet.first_col
    single = [(k, ix[0]) for k, ix in mapped.items() if len(ix) == 1]
    several = [(k, ix) for k, ix in mapped.items() if len(ix) > 1]
    indexes = sorted(i for ix in mapped.values() for i in ix)
    width = indexes[-1] + 1  # rows are as wide as the used range, which holds the header
    merges = _data_merges(sheet.merges, part.number - 1, {col0 + i for i in indexes})
    sheet.merges = []
    active: list[tuple[int, int, int, int, object]] = []  # (last row, top row, c0, c1, value)
    m = 0
    number = part.number
    for row in chain(part.pending, sheet.rows):
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        r = number - 1
        while m < len(merges) and merges[m][0] <= r:
            r0, c0, r1, c1 = merges[m]
            value = row[c0 - col0] if 0 <= c0 - col0 < len(row) else ""
            if errors and c0 in errors.get(r + 1, ()):  # a merged 所属网格 showing #N/A
                value = ErrorCell(errors[r + 1][c0])
            active.append((r1, r0, c0, c1, value))
            m += 1
        if active:
            active = [a for a in active if a[0] >= r]
        number += 1
        for i in indexes:
            if present(row[i]):
                break
        else:
            continue  # an empty row
        if repeats.match(row):
            continue
        if hidden and r + 1 in hidden:
            hidden_out.append((name, r + 1))
            continue
        if errors and r + 1 in errors:
            # After the empty-row check: formulas dragged down below the list (#N/A in rows that
            # hold nothing else) are no rows.
            for c, value in errors[r + 1].items():
                if 0 <= c - col0 < len(row):
                    row[c - col0] = ErrorCell(value)
        for _, r0, c0, c1, value in active:
            for c in range(max(c0, col0), min(c1 + 1, col0 + len(row))):
                if r != r0 or c != c0:
                    row[c - col0] = value
        values = {k: row[i] for k, i in single}
        for k, ix in several:
            given = [row[i] for i in ix if present(row[i])]
            # A 手机号 typed beside a 联系电话 that shows #N/A is the one to read.
            values[k] = next(
                (v for v in given if type(v) is not ErrorCell), given[0] if given else row[ix[0]]
            )
        yield name, r + 1, values


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
