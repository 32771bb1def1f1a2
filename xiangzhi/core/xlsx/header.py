"""Find a sheet's header among its first rows (after title rows, over two merged rows, with
notes in brackets) and match its texts to the declared columns; recognise the header's copies
among the data rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..validators import normalize_text
from .cells import FORMAT_CHARS

# A note in brackets after a header's name: 姓名(必填), 出生日期【格式:1990-01-01】. Full-width
# round and square brackets are half-width once NFKC has folded them; 【】 stay as they are.
_HEADER_NOTE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_HEADER_NOISE = re.compile(r"[\s*＊:：()（）\[\]【】'‘’]")


@dataclass(frozen=True)
class Column:
    """Declare one column of a sheet: its key, its label and the other names it goes by."""

    key: str
    label: str  # the header written on export, and the name used in error reports
    aliases: tuple[str, ...] = ()
    # Names that mean this column only in a sheet where neither the label nor an alias appears:
    # 户主姓名 is the person's name in a sheet without 姓名, and the head's name beside it.
    weak_aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {header_key(a) for a in (self.label, *self.aliases)}

    def weak_names(self) -> set[str]:
        return {header_key(a) for a in self.weak_aliases} - self.names()


@dataclass
class Header:
    """One sheet's header: where it is and which columns hold which key."""

    sheet: str
    row: int  # as Excel numbers it (of two header rows, the one with more names)
    columns: dict[str, int]  # key -> its first column (0 is column A)
    labels: dict[str, str]  # key -> the header text found in that column
    unknown: list[str] = field(default_factory=list)  # headers that name no column
    missing: list[str] = field(default_factory=list)  # labels of required columns it lacks


def header_key(text: object) -> str:
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


class ColumnNames:
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


def find_header(head: list[list[object]], names: ColumnNames) -> tuple[int, int, list] | None:
    """The header among the first rows (after title rows, possibly over two merged rows):
    (its best row, its last row, its cells), or None when no row names two columns."""
    keys = [[header_key(c) for c in row] for row in head]
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
        if 0 <= neighbour < len(head) and _fill_header(
            header, header_keys, head[neighbour], keys[neighbour], names, needed
        ):
            last_header = max(last_header, neighbour)
    return best, last_header, header


def _fill_header(
    header: list,
    header_keys: list[str],
    row: list,
    keys: list[str],
    names: ColumnNames,
    needed: int,
) -> bool:
    """Fill the header's empty columns from a neighbouring row that names `needed` new keys."""
    seen = {names.any[k].key for k in header_keys if k in names.any}
    fills = {
        i: (c, k)
        for i, (c, k) in enumerate(zip(row, keys, strict=True))
        if k in names.any
        and names.any[k].key not in seen
        and (i >= len(header) or not header_keys[i])
    }
    if len({names.any[k].key for _, k in fills.values()}) < needed:
        return False
    grow = max(len(header), len(row)) - len(header)
    header += [""] * grow
    header_keys += [""] * grow
    for i, (c, k) in fills.items():
        header[i], header_keys[i] = c, k
    return True


def _label(text: object) -> str:
    """Clean a header's text for the report: folded, without spaces or invisible characters."""
    return FORMAT_CHARS.sub("", normalize_text(str(text)))


def map_columns(header: list, names: ColumnNames):
    """Key -> its columns in header order, key -> the first one's text, and the unknown texts.
    A weak alias counts only when no label or alias names its key in this sheet."""
    found = []
    for i, text in enumerate(header):
        k = header_key(text)
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


class HeaderRepeats:
    """The rows down to the header (titles, the header itself), to skip their copies among the
    data: printing templates repeat the header on every page, and pasted pages bring it along.
    A data row is such a copy when each of its cells equals the same column of one of them
    (compared as headers are) and it has at least two such cells (one for a one-cell title)."""

    def __init__(self, rows: list[list[object]]):
        self.patterns: list[dict[int, str]] = []
        self.firsts: dict[int, set[str]] = {}  # column -> first characters of the texts there
        for row in rows:
            cells = {i: k for i, c in enumerate(row) if (k := header_key(c))}
            if cells:
                self.patterns.append(cells)
                for i, k in cells.items():
                    self.firsts.setdefault(i, set()).update((k[0], k[0].upper()))

    def match(self, row: list[object]) -> bool:
        """Tell whether a data row is a copy of the header or of a row above it."""
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
        cells = {i: k for i, c in enumerate(row) if c != "" and (k := header_key(c))}
        return any(
            len(cells) >= min(2, len(p)) and all(p.get(i) == k for i, k in cells.items())
            for p in self.patterns
        )
