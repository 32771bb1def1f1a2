"""Measure what a workbook's XML really holds, streamed, before calamine loads it: the last row
and column of each sheet that hold a cell (not what its <dimension> declares), and the longest
shared string. Nothing here builds a tree or keeps more than a chunk and a short tail."""

from __future__ import annotations

import re

from .errors import SheetError
from .limits import Limits, megabytes

# A cell's reference: ` r="XFD1048576"`. Row elements have ` r="5"` (digits only), which this
# does not match.
_CELL_COLUMN = re.compile(rb"""\sr=["']([A-Z]+)\d""")
_CELL_ROW = re.compile(rb"""\sr=["'][A-Z]+(\d+)""")
# The elements of a worksheet other than <c> whose names start with c: col(s), colBreaks,
# conditionalFormatting, control(s), color..., customSheetView(s), customPr..., cfRule, cfvo,
# cellWatch(es), cellSmartTag(s).
_OTHER_C = (b"co", b"cu", b"cf", b"ce")
_REF_ATTR = re.compile(rb"""\sr=["']([A-Z]*)(\d+)["']""")
_TAG = re.compile(rb"<(?:\w+:)?(row|c)(\s[^>]*|/)?>")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>]")
# A text longer than this between two tags is refused outright (a chunk's tail never grows past it).
MAX_TAIL = 4 * 1024 * 1024


def _count_cells(buf: bytes, start: bytes) -> int:
    return buf.count(start + b"c") - sum(buf.count(start + o) for o in _OTHER_C)


def column_number(letters: bytes) -> int:
    """Turn column letters (A, XFD) into Excel's column number, from 1."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def column_letters(n: int) -> str:
    """Turn Excel's column number (from 1) into its letters."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def too_long(limits: Limits) -> SheetError:
    return SheetError(
        f"文件中有一段文字超过 {megabytes(limits.string_bytes)}"
        "（Excel 一个格子最多 32,767 个字），不像正常的表格。请检查表格内容后另存为 .xlsx 再上传。"
    )


class _Chunked:
    """Feed a part's bytes in chunks; `body()` gets whole tags only, the rest waits in `tail`."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.tail = b""

    def feed(self, chunk: bytes) -> None:
        buf = self.tail + chunk
        cut = buf.rfind(b">") + 1
        self.tail = buf[cut:]
        if len(self.tail) > min(MAX_TAIL, max(self.limits.string_bytes, 64 * 1024) * 4):
            raise too_long(self.limits)
        if cut:
            self.body(buf[:cut])

    def body(self, buf: bytes) -> None:
        raise NotImplementedError


class SheetExtent(_Chunked):
    """The last row and column holding a cell, by each cell's reference. This fast pass counts
    every cell (empty ones too, so it never says less than calamine loads); `exact` says
    whether every cell had a reference, else only `walk_extent` can tell."""

    def __init__(self, limits: Limits):
        super().__init__(limits)
        self.rows = 0
        self.columns: set[bytes] = set()
        self.tags = 0
        self.refs = 0
        self.prefixed = False

    def body(self, buf: bytes) -> None:
        self.columns.update(_CELL_COLUMN.findall(buf))
        rows = _CELL_ROW.findall(buf)
        if rows:
            self.rows = max(self.rows, max(map(int, rows)))
        self.refs += len(rows)
        # Every <c> however written (<c r=..>, <c>, <c/>, <c\n...>): the tags that start with c
        # less the other elements of a worksheet whose names start with c.
        self.tags += _count_cells(buf, b"<")
        # A cell with a namespace prefix (<x:c>) is not counted above: the walk reads it.
        self.prefixed = self.prefixed or (b":c" in buf and _count_cells(buf, b":") > 0)

    @property
    def exact(self) -> bool:
        return not self.prefixed and self.tags == self.refs

    @property
    def size(self) -> tuple[int, int]:
        cols = max((column_number(c) for c in self.columns), default=0)
        return self.rows, cols


class WalkExtent(_Chunked):
    """The last row and column of the cells that hold something, walking every row and cell
    tag in order as calamine places them (a cell without a reference is the one after the
    previous; an empty <c/> holds nothing). Slow, so used only when the fast pass cannot tell;
    it stops as soon as the sheet is past the limits."""

    def __init__(self, limits: Limits):
        super().__init__(limits)
        self.row = self.col = self.rows = self.cols = 0

    def body(self, buf: bytes) -> None:
        for m in _TAG.finditer(buf):
            kind, attrs = m.group(1), m.group(2) or b""
            ref = _REF_ATTR.search(attrs)
            if kind == b"row":
                self.row = int(ref.group(2)) if ref else self.row + 1
                self.col = 0
                continue
            if ref and ref.group(1):
                self.col, row = column_number(ref.group(1)), int(ref.group(2))
            else:
                self.col, row = self.col + 1, self.row
            if attrs.endswith(b"/"):
                continue
            self.rows, self.cols = max(self.rows, row), max(self.cols, self.col)
            if not within(self.limits, self.rows, self.cols):
                raise _PastLimits

    @property
    def size(self) -> tuple[int, int]:
        return self.rows, self.cols


class _PastLimits(Exception):
    pass


def within(limits: Limits, rows: int, cols: int) -> bool:
    return rows <= limits.rows and cols <= limits.columns and rows * cols <= limits.cells


def walk(read_chunks, limits: Limits) -> tuple[int, int]:
    """Run WalkExtent over a part's chunks; (rows, columns), stopping once past the limits."""
    extent = WalkExtent(limits)
    try:
        for chunk in read_chunks():
            extent.feed(chunk)
    except _PastLimits:
        pass
    return extent.size


def refuse_extent(name: str, rows: int, cols: int, limits: Limits) -> None:
    """Refuse a sheet whose cells reach past the limits."""
    if within(limits, rows, cols):
        return
    raise SheetError(
        f"工作表“{name}”的使用区域太大（{rows} 行 × {cols} 列），有内容的格子一直到 "
        f"{column_letters(cols)}{rows}（最多 {limits.rows:,} 行、{limits.columns} 列），"
        "通常是远处某个格子有内容。"
        "请删除表格右侧和下方多余的行列后另存，再上传。"
    )


class SharedStrings(_Chunked):
    """The longest shared string (<si>, with its formatting runs), in bytes of XML."""

    def __init__(self, limits: Limits):
        super().__init__(limits)
        self.current = 0  # the bytes of the <si> not yet closed

    def body(self, buf: bytes) -> None:
        parts = _SHARED_STRING.split(buf)
        longest = max(self.current + len(parts[0]), max(map(len, parts[1:]), default=0))
        self.current = len(parts[-1]) if len(parts) > 1 else self.current + len(parts[0])
        if max(longest, self.current) > self.limits.string_bytes:
            raise too_long(self.limits)
