"""What calamine does not tell of a workbook: each sheet's declared size (read before the sheet
is loaded, to refuse a huge used range), the rows it hides and the cells that show a formula's
error. For an .xlsx they are searched in the sheet's XML, for an .xls read with xlrd."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SheetMarks:
    """What calamine does not tell of a sheet's rows and cells (.xlsx and .xls)."""

    hidden: frozenset[int] = frozenset()  # Excel numbers of the rows the sheet hides
    errors: dict[int, dict[int, str]] = field(default_factory=dict)  # row -> {column from 0: #N/A}


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_number(letters: bytes) -> int:
    """Turn column letters (A, XFD) into Excel's column number, from 1."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member that holds the sheet's XML in an .xlsx. Elements are matched
    by their local names: a Strict Open XML workbook uses other namespaces than the usual one."""
    import xml.etree.ElementTree as ET

    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1]

    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for sheet in book.iter():
        if local(sheet.tag) != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if k != "id" and local(k) == "id"), "")
        target = targets.get(rid, "")
        if target:
            out[sheet.get("name", "")] = (
                target.lstrip("/") if target.startswith("/") else "xl/" + target
            )
    return out


def _declared_sizes(zf: zipfile.ZipFile, members: dict[str, str]) -> dict[str, tuple[int, int]]:
    """(rows, columns) of each sheet of an .xlsx as its <dimension> declares them, read from the
    first bytes of each sheet's XML without loading it. Sheets without one are left out."""
    out: dict[str, tuple[int, int]] = {}
    for name, member in members.items():
        with zf.open(member) as fh:
            m = _DIMENSION.search(fh.read(4096))
        if m and m.group(3):
            rows = int(m.group(4)) - int(m.group(2)) + 1
            cols = _column_number(m.group(3)) - _column_number(m.group(1)) + 1
            out[name] = (rows, cols)
    return out


_HIDDEN_VALUES = (b'"1"', b"'1'", b'"true"', b"'true'")
_ERROR_MARKS = (b't="e"', b"t='e'")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\s[^<>]*$")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s[^<>]*$")
_ROW_NUMBER = re.compile(rb"""\sr=["'](\d+)["']""")
_CELL_REF = re.compile(rb"""\sr=["']([A-Z]+)(\d+)["']""")
# After an error cell's tag: its formula, if any, then its cached value (#N/A, #REF!, ...).
_ERROR_VALUE = re.compile(
    rb"\s*(?:<(?:\w+:)?f\b[^>]*/>|<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>)?\s*<(?:\w+:)?v>([^<]*)</"
)


def _sheet_marks(zf: zipfile.ZipFile, member: str) -> SheetMarks:
    """The rows a sheet hides (filtered out, or hidden by hand or in a collapsed outline: <row
    hidden="1">) and the cells that show a formula's error (<c t="e">). The XML is streamed and
    only searched for those attributes, which most sheets do not have: no tree is built."""
    hidden: set[int] = set()
    errors: dict[int, dict[int, str]] = {}
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 20):
            buf = tail + chunk
            for start, end, at in _tags(buf, b"hidden=", _ROW_TAG):
                if buf.startswith(_HIDDEN_VALUES, at + 7) and (
                    n := _ROW_NUMBER.search(buf, start, end)
                ):
                    hidden.add(int(n.group(1)))
            for mark in _ERROR_MARKS:
                for start, end, _ in _tags(buf, mark, _CELL_TAG):
                    if ref := _CELL_REF.search(buf, start, end):
                        value = _ERROR_VALUE.match(buf, end + 1)
                        text = value.group(1).decode("utf-8", "replace") if value else ""
                        column = _column_number(ref.group(1)) - 1
                        errors.setdefault(int(ref.group(2)), {})[column] = text or "#错误"
            tail = buf[-2048:]  # a tag cut by the chunk's end is read again with the next chunk
    return SheetMarks(frozenset(hidden), errors)


def _tags(buf: bytes, mark: bytes, tag: re.Pattern) -> Iterator[tuple[int, int, int]]:
    """(start, end, where the mark is) of each complete tag in buf that `tag` names and that
    holds `mark`."""
    i = buf.find(mark)
    while i >= 0:
        start = buf.rfind(b"<", 0, i)
        end = buf.find(b">", i)
        if start >= 0 and end > 0 and tag.match(buf, start, i):
            yield start, end, i
        i = buf.find(mark, i + 1)


class _XlsxLayout:
    """What calamine does not tell of an .xlsx: each sheet's declared size, hidden rows and error
    cells. An odd workbook (no workbook.xml) gives nothing: calamine reads it or says it is
    broken."""

    def __init__(self, path: Path, fmt: str):
        self.zf = None
        self.members: dict[str, str] = {}
        self.sizes: dict[str, tuple[int, int]] = {}
        if fmt != "xlsx":
            return
        try:
            self.zf = zipfile.ZipFile(path)
            self.members = _sheet_members(self.zf)
            self.sizes = _declared_sizes(self.zf, self.members)
        except Exception:  # noqa: BLE001
            self.close()

    def marks(self, name: str) -> SheetMarks:
        member = self.members.get(name)
        if self.zf is None or member is None:
            return SheetMarks()
        try:
            return _sheet_marks(self.zf, member)
        except Exception:  # noqa: BLE001 - as above
            return SheetMarks()

    def size(self, name: str) -> tuple[int, int]:
        return self.sizes.get(name, (0, 0))

    def close(self) -> None:
        if self.zf is not None:
            self.zf.close()
        self.zf, self.members, self.sizes = None, {}, {}


class _XlsLayout:
    """What calamine does not tell of an .xls (BIFF): hidden rows and error cells, from xlrd,
    which reads the row records' flags and the cells' types. A sheet is read by xlrd and let go
    before calamine loads it, so that both never hold it at once. A file xlrd cannot read gives
    nothing: calamine reads it or says it is broken."""

    def __init__(self, path: Path):
        self.book = None
        try:
            import xlrd

            self.book = xlrd.open_workbook(
                str(path), formatting_info=True, on_demand=True, ragged_rows=True
            )
        except Exception:  # noqa: BLE001
            self.book = None

    def size(self, name: str) -> tuple[int, int]:
        return (0, 0)  # an .xls sheet has at most 65,536 rows of 256 columns

    def marks(self, name: str) -> SheetMarks:
        if self.book is None:
            return SheetMarks()
        try:
            sheet = self.book.sheet_by_name(name)
            hidden = frozenset(r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden)
            errors = _xls_errors(sheet)
            self.book.unload_sheet(name)
            return SheetMarks(hidden, errors)
        except Exception:  # noqa: BLE001 - as above
            return SheetMarks()

    def close(self) -> None:
        if self.book is not None:
            self.book.release_resources()
        self.book = None


def _xls_errors(sheet) -> dict[int, dict[int, str]]:
    """Find the cells of an xlrd sheet that show a formula's error, by row and column."""
    from xlrd import XL_CELL_ERROR, error_text_from_code

    errors: dict[int, dict[int, str]] = {}
    for r in range(sheet.nrows):
        types = sheet.row_types(r)
        if XL_CELL_ERROR in types:
            for c, t in enumerate(types):
                if t == XL_CELL_ERROR:
                    code = sheet.cell_value(r, c)
                    errors.setdefault(r + 1, {})[c] = error_text_from_code.get(code, "#错误")
    return errors


def open_layout(path: Path, fmt: str):
    """Open what calamine does not tell of the workbook at path, by its format."""
    return _XlsLayout(path) if fmt == "xls" else _XlsxLayout(path, fmt)
