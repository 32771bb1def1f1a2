"""What calamine does not tell of a workbook: each sheet's declared size (read before the sheet
is loaded, to refuse a huge used range), the rows it hides and the cells that show a formula's
error. For an .xlsx they are searched in the sheet's XML, for an .xls read with xlrd."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .extent import column_number as _column_number


@dataclass
class SheetMarks:
    """What calamine does not tell of a sheet's rows and cells (.xlsx and .xls)."""

    hidden: frozenset[int] = frozenset()  # Excel numbers of the rows the sheet hides
    errors: dict[int, dict[int, str]] = field(default_factory=dict)  # row -> {column from 0: #N/A}


def _workbook_xml(zf: zipfile.ZipFile):
    """The parsed workbook part and the targets of its relationships, by id. Only after the guard
    (guard.py) streamed both parts: bounded, and with no DOCTYPE, so no entity is expanded."""
    import xml.etree.ElementTree as ET

    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    return book, {r.get("Id"): (r.get("Target", ""), r.get("Type", "")) for r in rels}


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _member(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member that holds the sheet's XML in an .xlsx. Elements are matched
    by their local names: a Strict Open XML workbook uses other namespaces than the usual one."""
    return {name: member for name, (member, _) in _sheets(zf).items()}


def _sheets(zf: zipfile.ZipFile) -> dict[str, tuple[str, bool]]:
    """Sheet name -> (its zip member, whether the sheet is hidden)."""
    book, targets = _workbook_xml(zf)
    out = {}
    for sheet in book.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if k != "id" and _local(k) == "id"), "")
        target = targets.get(rid, ("", ""))[0]
        if target:
            hidden = sheet.get("state", "visible") != "visible"
            out[sheet.get("name", "")] = (_member(target), hidden)
    return out


def workbook_parts(zf: zipfile.ZipFile) -> tuple[dict[str, str], set[str], set[str]]:
    """What the guard measures in an .xlsx: member -> sheet name of every sheet, the members of
    the hidden sheets (never loaded), and the shared-strings part(s). Empty when the workbook
    parts cannot be read (calamine then says the file is broken)."""
    try:
        sheets = _sheets(zf)
        _, targets = _workbook_xml(zf)
    except Exception:  # noqa: BLE001
        return {}, set(), set()
    names = {member: name for name, (member, _) in sheets.items()}
    hidden = {member for member, is_hidden in sheets.values() if is_hidden}
    shared = {_member(t) for t, kind in targets.values() if kind.endswith("/sharedStrings")}
    return names, hidden - {m for m, h in sheets.values() if not h}, shared


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
        if fmt != "xlsx":
            return
        try:
            self.zf = zipfile.ZipFile(path)
            self.members = _sheet_members(self.zf)
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
        return (0, 0)  # measured from the cells by the guard, before calamine opened the file

    def close(self) -> None:
        if self.zf is not None:
            self.zf.close()
        self.zf, self.members = None, {}


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
        """The last row and column that hold a value, from the cells xlrd read (not from the
        sheet's DIMENSIONS record); the sheet stays loaded for marks()."""
        if self.book is None:
            return (0, 0)
        try:
            sheet = self.book.sheet_by_name(name)
        except Exception:  # noqa: BLE001 - as above
            return (0, 0)
        rows = cols = 0
        for r in range(sheet.nrows):
            # Empty (0) and blank (6, formatted but empty) cells hold nothing.
            width = len(bytes(sheet.row_types(r)).rstrip(b"\x00\x06"))
            if width:
                rows, cols = r + 1, max(cols, width)
        return rows, cols

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
