"""Open a workbook by what its bytes say it is (python-calamine, xlrd for what calamine does not
tell of an .xls), refuse what cannot be read with a message for the user, and stream each
visible worksheet's rows numbered as Excel shows them."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from .errors import SheetError
from .extent import refuse_extent
from .guard import check_directory_size, check_workbook
from .layout import SheetMarks, open_layout
from .limits import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
_PASSWORD = "文件设置了打开密码，无法读取。请在 Excel 中取消密码后重新上传。"
# The reader that python-calamine's from_path picks by extension (calamine's open_workbook_auto).
SUFFIX_FORMATS = {
    ".xls": "xls",
    ".xla": "xls",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xlam": "xlsx",
    ".xlsb": "xlsb",
    ".ods": "ods",
}


Range = tuple[tuple[int, int], tuple[int, int]]


@dataclass
class SheetRows:
    """One worksheet, its rows streaming from the first row that holds anything."""

    name: str
    rows: Iterator[list[object]]
    first_row: int  # the Excel number of the first row of `rows`
    first_col: int  # the column of each row's first cell (0 is column A)
    merges: list[Range]  # merged ranges, (row, column) from 0, both ends included
    marks: SheetMarks  # hidden rows, error cells


def open_sheets(source) -> Iterator[SheetRows]:
    """The visible worksheets that hold anything, in workbook order. A hidden sheet is old data
    or a lookup list: the cadre does not see it, so it is not read."""
    path = Path(source)
    limits = Limits.from_settings()
    fmt, wb = _open(path, limits)
    layout = open_layout(path, fmt)
    try:
        for name in _worksheet_names(wb):
            # python-calamine loads a sheet's whole used range, a cell for every row and column
            # of it (about 40 bytes each): one stray value in column XFD made a 1,000-row roster
            # take 650 MB. The guard measured an .xlsx before calamine opened it; an .xls is
            # measured here by xlrd, before calamine loads the sheet.
            refuse_extent(name, *layout.size(name), limits)
            marks = layout.marks(name)  # first: xlrd lets the sheet go before calamine loads it
            try:
                sheet = wb.get_sheet_by_name(name)
            except Exception as exc:  # noqa: BLE001
                raise _unreadable(exc) from exc
            if sheet.height:
                yield _sheet_rows(name, sheet, marks)
    finally:
        layout.close()
        wb.close()


def _open(path: Path, limits: Limits):
    """Sniff the file's format, check it (guard.py) and open it with calamine, or refuse it with
    a SheetError."""
    if not path.exists():
        raise SheetError(f"找不到文件：{path.name}")
    try:
        fmt = _sniff(path)  # by the bytes; a password or a non-spreadsheet is refused here
        check_workbook(path, fmt, limits)
        return fmt, _open_workbook(path, fmt)
    except SheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for a broken file
        raise _unreadable(exc) from exc


def _sniff(path: Path) -> str:
    """The format of the file by its bytes: "xls", "xlsx", "xlsb" or "ods"."""
    with path.open("rb") as fh:
        head = fh.read(8)
        if head.startswith(OLE_MAGIC):
            blob = head + fh.read(4 * 1024 * 1024)
            if ENCRYPTED_MARK in blob:
                raise SheetError(_PASSWORD)
            return "xls"
        if head.startswith(ZIP_MAGIC):
            check_directory_size(path)  # before zipfile reads the whole directory
            return _zip_format(path)
    raise SheetError("文件不是 Excel 表格（.xlsx、.xls 或 .ods），请另存为 Excel 格式后重新上传。")


def _zip_format(path: Path) -> str:
    """An OpenDocument file names its type in its `mimetype` member, an .xlsb has a binary
    workbook; only the zip's directory is read."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                with zf.open("mimetype") as fh:
                    if b"opendocument.spreadsheet" in fh.read(100):
                        return "ods"
            if "xl/workbook.bin" in names:
                return "xlsb"
    except Exception:  # noqa: BLE001 - a broken zip: calamine reports it below
        pass
    return "xlsx"


def _open_workbook(path: Path, fmt: str):
    """Open by content, not by name. python-calamine's from_path picks its reader by the
    extension (a .xlsx saved as .xls fails there), so a file whose name tells another format
    than its bytes goes through from_filelike, which tries every reader. That reads the file
    into memory, which only such misnamed files pay (the cells are in memory anyway)."""
    from python_calamine import CalamineWorkbook

    if SUFFIX_FORMATS.get(path.suffix.lower()) == fmt:
        return CalamineWorkbook.from_path(str(path))
    with path.open("rb") as fh:
        return CalamineWorkbook.from_filelike(fh)


def _unreadable(exc: Exception) -> SheetError:
    """Make the user's message for a file that calamine could not open or read."""
    if "password" in str(exc).lower() or type(exc).__name__ == "PasswordError":
        return SheetError(_PASSWORD)
    return SheetError("文件已损坏或格式无法识别，请用 Excel 打开确认后另存为 .xlsx 再上传。")


def _worksheet_names(wb) -> list[str]:
    """List the names of the workbook's visible worksheets (not chart sheets), in order."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    return [
        m.name
        for m in wb.sheets_metadata
        if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet
    ]


def _sheet_rows(name: str, sheet, marks: SheetMarks) -> SheetRows:
    """Number the rows as Excel does. python-calamine (0.9.1) knows where the used range starts
    (`start`, from 0), and its iter_rows() yields that many empty rows before the range, so
    that rows count from Excel's row 1, while each row begins at the range's first column. Both
    are checked here rather than trusted: a first row holding a value is the range's own."""
    rows = sheet.iter_rows()
    start_row, start_col = sheet.start
    first = next(rows)
    if start_row and all(c == "" for c in first):
        for _ in islice(rows, start_row - 1):
            pass
        first = next(rows)
    return SheetRows(
        name=name,
        rows=chain([first], rows),
        first_row=start_row + 1,
        first_col=start_col if len(first) == sheet.width else 0,
        merges=sheet.merged_cell_ranges or [],  # None for .ods
        marks=marks,
    )
