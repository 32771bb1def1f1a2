"""Write a list as an .xlsx with openpyxl's write-only mode, laid out as a printable ledger (台账):
a title row (unit, ledger name, period), a 制表人/审核人/制表日期 line, a bold header that stays
in view (frozen) and repeats on every printed page, and the page set up for A4 landscape, fitted
to the page's width. Cells are written as Excel shows them typed (no rounded IDs, no formulas).

The title and signature rows sit above the header, where an import's header finder skips them
(core.xlsx.header.find_header takes the row naming the most columns), so an exported ledger
imports back unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .header import Column
from .names import sheet_title

# Rows above the header: the title, then the signature line; the header is the row after them.
TITLE_ROWS = 2
HEADER_ROW = TITLE_ROWS + 1
A4 = "9"  # the paperSize code of A4 in SpreadsheetML


def ledger_title(ledger: str, *, unit: str = "", period: str = "") -> str:
    """The title row's text: 甲村居民花名册（截至2026年12月1日）."""
    head = ledger if not unit or ledger.startswith(unit) else f"{unit}{ledger}"
    return f"{head}（{period}）" if period else head


def as_of(day: dt.date) -> str:
    """The period of a list that shows the records as they are on a day."""
    return f"截至{_day(day)}"


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(since: dt.date | None, until: dt.date | None) -> str:
    """A date range as a title says it: a whole month as 2026年11月; "" for no range at all."""
    if since and until:
        month_end = (since.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if since.day == 1 and until == month_end - dt.timedelta(days=1):
            return f"{since.year}年{since.month}月"
        return f"{_day(since)}至{_day(until)}"
    if since:
        return f"{_day(since)}起"
    return as_of(until) if until else ""


def write_xlsx(
    target,
    columns: list[Column],
    rows: Iterable[Iterable[object]],
    *,
    title: str = "Sheet1",
    text_columns: Iterable[str] = (),
    unit: str = "",
    period: str = "",
    today: dt.date | None = None,
) -> int:
    """Write rows under the columns' labels with openpyxl's write-only mode; return the row count.

    `title` names the ledger (and its sheet), `unit` who keeps it (a village, a township) and
    `period` what it covers (a month; "截至" the day by default). Columns named in text_columns
    are stored as text cells (format "@") so that Excel never turns an ID or phone number into a
    rounded number. Text is written as typed and never runs: a note that starts with "=" is a
    text cell, not a formula, and control characters that a sheet cannot hold (a vertical tab
    pasted from elsewhere) are dropped.
    """
    from django.utils import timezone
    from openpyxl import Workbook

    today = today or timezone.localdate()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title(title))
    text_keys = set(text_columns)
    text_ix = {i for i, c in enumerate(columns) if c.key in text_keys}
    _page_setup(ws, len(columns))
    _write_title(ws, len(columns), ledger_title(title, unit=unit, period=period or as_of(today)))
    _write_signatures(ws, len(columns), today)
    _write_header(ws, columns, text_ix)
    count = 0
    for row in rows:
        out = []
        for i, value in enumerate(row):
            if i in text_ix and value not in (None, ""):
                out.append(text_cell(ws, str(value), "@"))
            elif type(value) is str and value and (value[0] == "=" or not value.isprintable()):
                out.append(text_cell(ws, value))  # a formula's look, or characters to check
            else:
                out.append(value)
        ws.append(out)
        count += 1
    wb.save(target)
    return count


def sheet_text(value: str) -> str:
    """The text as a cell can hold it: the control characters a sheet cannot store removed."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def text_cell(ws, value: str, number_format: str | None = None):
    """A write-only cell that holds `value` as text, never as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=sheet_text(value))
    cell.data_type = "s"  # openpyxl would take "=..." for a formula
    if number_format:
        cell.number_format = number_format
    return cell


def _page_setup(ws, width: int) -> None:
    """A4 landscape, fitted to one page wide (as many pages down as it takes), the header row
    repeated on every page, and the header frozen on screen."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0: as many pages as the rows need
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.freeze_panes = f"A{HEADER_ROW + 1}"


def _write_title(ws, width: int, text: str) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    # The title starts with the unit's name, which a user typed (a grid node named "=..."), so
    # it is a text cell like any other typed text.
    cell = text_cell(ws, text)
    cell.font = Font(bold=True, size=16)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    if width > 1:
        ws.merged_cells.add(f"A1:{get_column_letter(width)}1")
    ws.row_dimensions[1].height = 30
    ws.append([cell])


def _write_signatures(ws, width: int, today: dt.date) -> None:
    """制表人, 审核人 and 制表日期 spread over the line above the header, to sign on paper."""
    day = f"制表日期：{today.year}年{today.month}月{today.day}日"
    parts = ["制表人：", "审核人：", day]
    if width < 3:
        ws.append(["　".join(parts)])
        return
    line: list[object] = [None] * width
    line[0], line[width // 3], line[(2 * width) // 3] = parts
    ws.append(line)


def _write_header(ws, columns: list[Column], text_ix: set[int]) -> None:
    """Size the columns and write the labels into the header row in bold."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for i, col in enumerate(columns):
        width = 22 if i in text_ix else max(8, min(40, len(col.label) * 2 + 4))
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col.label)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
