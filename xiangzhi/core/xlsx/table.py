"""The spreadsheet engine: read the 台账 that cadres really keep (python-calamine, streaming) and
write lists back as .xlsx (openpyxl write-only). Apps declare their columns in their own
`xlsx.py`; this module knows sheets, headers and cell values, not the domain."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from ..validators import normalize_text
from .cells import FORMAT_CHARS, ErrorCell, present
from .read import Range, SheetError, SheetRows, open_sheets

HEADER_SCAN_ROWS = 20
# A note in brackets after a header's name: 姓名(必填), 出生日期【格式:1990-01-01】. Full-width
# round and square brackets are half-width once NFKC has folded them; 【】 stay as they are.
_HEADER_NOTE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_HEADER_NOISE = re.compile(r"[\s*＊:：()（）\[\]【】'‘’]")


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header written on export, and the name used in error reports
    aliases: tuple[str, ...] = ()
    # Names that mean this column only in a sheet where neither the label nor an alias appears:
    # 户主姓名 is the person's name in a sheet without 姓名, and the head's name beside it.
    weak_aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {_header_key(a) for a in (self.label, *self.aliases)}

    def weak_names(self) -> set[str]:
        return {_header_key(a) for a in self.weak_aliases} - self.names()


@dataclass
class Header:
    """One sheet's header: where it is and which columns hold which key."""

    sheet: str
    row: int  # as Excel numbers it (of two header rows, the one with more names)
    columns: dict[str, int]  # key -> its first column (0 is column A)
    labels: dict[str, str]  # key -> the header text found in that column
    unknown: list[str] = field(default_factory=list)  # headers that name no column
    missing: list[str] = field(default_factory=list)  # labels of required columns it lacks


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


def _header_key(text: object) -> str:
    """A header cell reduced for matching: no spaces, marks, quotes or invisible characters, and
    no note in brackets (unless the brackets hold the whole header)."""
    value = str(text or "")
    if not value.isascii() and not value.isprintable():
        value = FORMAT_CHARS.sub("", value)
    value = normalize_text(value)
    bare = value
    while True:
        shorter = _HEADER_NOTE.sub("", bare)
        if shorter == bare:
            break
        bare = shorter
    if _HEADER_NOISE.sub("", bare):
        value = bare
    return _HEADER_NOISE.sub("", value).lower()


class _Names:
    """Header keys -> columns: the labels and aliases, then the weak aliases."""

    def __init__(self, columns: list[Column]):
        self.strong: dict[str, Column] = {}
        for col in columns:
            for n in col.names():
                self.strong[n] = col
        self.weak: dict[str, Column] = {}
        for col in columns:
            for n in col.weak_names():
                if n not in self.strong:
                    self.weak[n] = col
        self.any = self.weak | self.strong


def _find_header(head: list[list[object]], names: _Names) -> tuple[int, int, list] | None:
    """The header among the first rows (after title rows, possibly over two merged rows):
    (its best row, its last row, its cells), or None when no row names two columns."""
    keys = [[_header_key(c) for c in row] for row in head]
    best, best_hits = -1, 0
    for i, row in enumerate(keys):
        hits = len({names.any[k].key for k in row if k in names.any})
        if hits > best_hits:
            best, best_hits = i, hits
    if best < 0 or best_hits < 2:
        return None
    header = list(head[best])
    header_keys = list(keys[best])
    last_header = best
    # A header spread over two rows (merged cells): a neighbouring row fills the columns that the
    # best row leaves empty. The row above counts with one such name (titles match no alias);
    # the row below needs two, or a data row (户主 under 与户主关系) would pass for a header.
    for neighbour, needed in ((best - 1, 1), (best + 1, 2)):
        if not 0 <= neighbour < len(head):
            continue
        seen = {names.any[k].key for k in header_keys if k in names.any}
        fills = {
            i: (c, k)
            for i, (c, k) in enumerate(zip(head[neighbour], keys[neighbour], strict=True))
            if k in names.any
            and names.any[k].key not in seen
            and (i >= len(header) or not header_keys[i])
        }
        if len({names.any[k].key for _, k in fills.values()}) >= needed:
            grow = max(len(header), len(head[neighbour])) - len(header)
            header += [""] * grow
            header_keys += [""] * grow
            for i, (c, k) in fills.items():
                header[i], header_keys[i] = c, k
            if neighbour > best:
                last_header = neighbour
    return best, last_header, header


def _label(text: object) -> str:
    return FORMAT_CHARS.sub("", normalize_text(str(text)))


def _map_columns(header: list, names: _Names):
    """Key -> its columns in header order, key -> the first one's text, and the unknown texts.
    A weak alias counts only when no label or alias names its key in this sheet."""
    found = []
    for i, text in enumerate(header):
        k = _header_key(text)
        if not k:
            continue
        col = names.strong.get(k)
        weak = col is None and k in names.weak
        found.append((i, text, col or names.weak.get(k), weak))
    named = {col.key for _, _, col, weak in found if col is not None and not weak}
    mapped: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    unknown: list[str] = []
    for i, text, col, weak in found:
        if col is None or (weak and col.key in named):
            unknown.append(_label(text))
        else:
            mapped.setdefault(col.key, []).append(i)
            labels.setdefault(col.key, _label(text))
    return mapped, labels, unknown


class _Repeats:
    """The rows down to the header (titles, the header itself), to skip their copies among the
    data: printing templates repeat the header on every page, and pasted pages bring it along.
    A data row is such a copy when each of its cells equals the same column of one of them
    (compared as headers are) and it has at least two such cells (one for a one-cell title)."""

    def __init__(self, rows: list[list[object]]):
        self.patterns: list[dict[int, str]] = []
        self.firsts: dict[int, set[str]] = {}  # column -> first characters of the texts there
        for row in rows:
            cells = {i: k for i, c in enumerate(row) if (k := _header_key(c))}
            if cells:
                self.patterns.append(cells)
                for i, k in cells.items():
                    self.firsts.setdefault(i, set()).update((k[0], k[0].upper()))

    def match(self, row: list[object]) -> bool:
        j = 0
        for value in row:
            if value != "" and value is not None:
                break
            j += 1
        else:
            return False
        # A quick look first: most data rows share no character with the text over their first
        # cell.
        if not isinstance(value, str):
            return False
        for ch in self.firsts.get(j, ()):
            if ch in value:
                break
        else:
            return False
        cells = {i: k for i, c in enumerate(row) if c != "" and (k := _header_key(c))}
        return any(
            len(cells) >= min(2, len(p)) and all(p.get(i) == k for i, k in cells.items())
            for p in self.patterns
        )


@dataclass
class _Part:
    """One sheet to read: its header and where its data rows start."""

    sheet: SheetRows
    header: Header
    mapped: dict[str, list[int]]  # key -> indexes into the sheet's rows
    pending: list[list[object]]  # rows read while looking for the header, after it
    number: int  # the Excel number of the first data row
    repeats: _Repeats


def read_table(source, columns: list[Column], *, required: Iterable[str]) -> Table:
    """Read every visible sheet that has a header (a header names at least two columns; sheets
    without one, such as 填表说明 or a summary, are skipped), map its columns, and return the
    data rows numbered as Excel shows them. Only the first rows of each sheet are kept while
    looking for its header; the data rows stream."""
    required = list(required)
    names = _Names(columns)
    parts: list[_Part] = []
    incomplete: list[Header] = []  # sheets whose header lacks a required column
    anything = False
    for sheet in open_sheets(source):
        anything = True
        head = list(islice(sheet.rows, HEADER_SCAN_ROWS))
        found = _find_header(head, names)
        if found is None:
            continue
        best, last_header, header = found
        mapped, labels, unknown = _map_columns(header, names)
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
                repeats=_Repeats([*head[: last_header + 1], header]),
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
