"""The spreadsheet engine: read the 台账 that cadres really keep (python-calamine, streaming) and
write lists back as .xlsx (openpyxl write-only). Apps declare their columns in their own
`xlsx.py`; this module knows sheets, headers and cell values, not the domain."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .validators import normalize_text

HEADER_SCAN_ROWS = 20
EXCEL_EPOCH = dt.date(1899, 12, 30)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


class SheetError(Exception):
    """The whole file cannot be read; the message is for the user, in Chinese."""


class CellError(ValueError):
    """One cell cannot be read; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header written on export, and the name used in error reports
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {_header_key(a) for a in (self.label, *self.aliases)}


@dataclass
class Table:
    header_row: int  # as Excel numbers it
    columns: dict[str, int]  # key -> column index
    labels: dict[str, str]  # key -> the header text found in the file
    unknown: list[str] = field(default_factory=list)
    rows: Iterator[tuple[int, dict[str, object]]] = iter(())


def _header_key(text: object) -> str:
    return re.sub(r"[\s*＊:：()（）]", "", normalize_text(str(text or ""))).lower()


def _sniff(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(8)
        if head.startswith(OLE_MAGIC):
            blob = head + fh.read(4 * 1024 * 1024)
            if ENCRYPTED_MARK in blob:
                raise SheetError("文件设置了打开密码,无法读取。请在 Excel 中取消密码后重新上传。")
            return
        if head.startswith(ZIP_MAGIC):
            return
    raise SheetError("文件不是 Excel 表格(.xlsx、.xls 或 .ods),请另存为 Excel 格式后重新上传。")


def open_sheet(source) -> tuple[int, Iterator[list[object]]]:
    """Open the first non-empty sheet and return (its first row index, a row iterator)."""
    from python_calamine import CalamineWorkbook

    path = Path(source)
    if not path.exists():
        raise SheetError(f"找不到文件:{path.name}")
    _sniff(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            if sheet.height:
                return sheet.start[0], sheet.iter_rows()
    except SheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for a broken file
        if "password" in str(exc).lower() or type(exc).__name__ == "PasswordError":
            raise SheetError(
                "文件设置了打开密码,无法读取。请在 Excel 中取消密码后重新上传。"
            ) from exc
        raise SheetError(
            "文件已损坏或格式无法识别,请用 Excel 打开确认后另存为 .xlsx 再上传。"
        ) from exc
    raise SheetError("表格是空的,没有任何数据。")


def read_table(source, columns: list[Column], *, required: Iterable[str]) -> Table:
    """Find the header row (after title rows, possibly over two merged rows), map the columns,
    and return the data rows numbered as Excel shows them."""
    offset, rows = open_sheet(source)
    by_name: dict[str, Column] = {}
    for col in columns:
        for n in col.names():
            by_name[n] = col
    head: list[list[object]] = []
    for row in rows:
        head.append(list(row))
        if len(head) >= HEADER_SCAN_ROWS:
            break
    best, best_hits = -1, 0
    for i, row in enumerate(head):
        hits = len({by_name[_header_key(c)].key for c in row if _header_key(c) in by_name})
        if hits > best_hits:
            best, best_hits = i, hits
    required = list(required)
    if best < 0 or best_hits < 2:
        labels = "、".join(c.label for c in columns if c.key in required)
        raise SheetError(f"没有找到表头。请确认表格中有一行列名,至少包含:{labels}。")
    header = list(head[best])
    last_header = best
    # A header spread over two rows (merged cells): a neighbouring row fills the columns that the
    # best row leaves empty. The row above counts with one such name (titles match no alias);
    # the row below needs two, or a data row (户主 under 与户主关系) would pass for a header.
    for neighbour, needed in ((best - 1, 1), (best + 1, 2)):
        if not 0 <= neighbour < len(head):
            continue
        row = head[neighbour]
        seen = {by_name[_header_key(c)].key for c in header if _header_key(c) in by_name}
        fills = {
            i: c
            for i, c in enumerate(row)
            if _header_key(c) in by_name
            and by_name[_header_key(c)].key not in seen
            and (i >= len(header) or not _header_key(header[i]))
        }
        if len({by_name[_header_key(c)].key for c in fills.values()}) >= needed:
            header = header + [""] * (max(len(header), len(row)) - len(header))
            for i, c in fills.items():
                header[i] = c
            if neighbour > best:
                last_header = neighbour
    mapped: dict[str, int] = {}
    labels: dict[str, str] = {}
    unknown: list[str] = []
    for i, text in enumerate(header):
        key = _header_key(text)
        if not key:
            continue
        col = by_name.get(key)
        if col is None:
            unknown.append(normalize_text(str(text)))
        elif col.key not in mapped:
            mapped[col.key] = i
            labels[col.key] = normalize_text(str(text))
    missing = [c.label for c in columns if c.key in required and c.key not in mapped]
    if missing:
        raise SheetError(f"表头缺少必需的列:{'、'.join(missing)}。")

    def data() -> Iterator[tuple[int, dict[str, object]]]:
        pending = head[last_header + 1 :]
        number = offset + last_header + 2
        for row in _chain(pending, rows):
            values = {k: (row[i] if i < len(row) else "") for k, i in mapped.items()}
            if any(_present(v) for v in values.values()):
                yield number, values
            number += 1

    return Table(
        header_row=offset + best + 1, columns=mapped, labels=labels, unknown=unknown, rows=data()
    )


def _chain(first, rest):
    yield from first
    yield from rest


def _present(value) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


# Cell readers: each turns a raw cell into a clean Python value or raises CellError.


def text(value) -> str:
    """Cell text with full-width characters folded and runs of spaces made one."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    value = str(value)
    if not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    return " ".join(value.split())


def compact(value) -> str:
    """Text with every space removed (codes, numbers, names)."""
    if isinstance(value, str):
        return normalize_text(value)
    return normalize_text(text(value))


def id_number(value) -> str:
    """An ID number as text; a number that Excel rounded is refused, never guessed."""
    if isinstance(value, bool):
        raise CellError("身份证号格式不正确")
    if isinstance(value, int | float):
        if value >= 1e15 or (isinstance(value, float) and not value.is_integer()):
            raise CellError(
                "身份证号被 Excel 存成了数字(如 4.30521199001011E+17),后几位已经丢失。"
                "请把该列设为“文本”格式,重新填写身份证号后再导入。"
            )
        return str(int(value))
    return compact(value).upper()


def phone(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value))
    return compact(value).replace("-", "")


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def date(value) -> dt.date | None:
    """A date from a date cell, an Excel serial number, or text such as 1990年1月1日."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(f"无法识别的日期:{value}")
    s = compact(value)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError as exc:
                raise CellError(f"日期不存在:{s}") from exc
    raise CellError(f"无法识别的日期:{s}(可写作 1990-01-01、1990/1/1 或 1990年1月1日)")


# Writing.


def write_xlsx(
    target,
    columns: list[Column],
    rows: Iterable[Iterable[object]],
    *,
    title: str = "Sheet1",
    text_columns: Iterable[str] = (),
) -> int:
    """Write rows under the columns' labels with openpyxl's write-only mode; return the row count.

    Columns named in text_columns are stored as text cells (format "@") so that Excel never
    turns an ID or phone number into a rounded number.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    text_ix = {i for i, c in enumerate(columns) if c.key in set(text_columns)}
    for i, col in enumerate(columns):
        width = 22 if i in text_ix else max(8, min(40, len(col.label) * 2 + 4))
        ws.column_dimensions[_letter(i)].width = width
    ws.freeze_panes = "A2"
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col.label)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        out = []
        for i, value in enumerate(row):
            if i in text_ix and value not in (None, ""):
                cell = WriteOnlyCell(ws, value=str(value))
                cell.number_format = "@"
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
        count += 1
    wb.save(target)
    return count


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
