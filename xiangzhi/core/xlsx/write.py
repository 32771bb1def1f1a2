"""Write a list as an .xlsx with openpyxl's write-only mode: a bold, frozen header of the
columns' labels, and cells that Excel shows as typed (no rounded IDs, no formulas)."""

from __future__ import annotations

from collections.abc import Iterable

from .header import Column
from .names import sheet_title


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
    turns an ID or phone number into a rounded number. Text is written as typed and never runs:
    a note that starts with "=" is a text cell, not a formula, and control characters that a
    sheet cannot hold (a vertical tab pasted from elsewhere) are dropped.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def text_cell(value: str, number_format: str | None = None):
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # openpyxl would take "=..." for a formula
        if number_format:
            cell.number_format = number_format
        return cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title(title))
    text_keys = set(text_columns)
    text_ix = {i for i, c in enumerate(columns) if c.key in text_keys}
    _write_header(ws, columns, text_ix)
    count = 0
    for row in rows:
        out = []
        for i, value in enumerate(row):
            if i in text_ix and value not in (None, ""):
                out.append(text_cell(str(value), "@"))
            elif type(value) is str and value and (value[0] == "=" or not value.isprintable()):
                out.append(text_cell(value))  # a formula's look, or characters to check
            else:
                out.append(value)
        ws.append(out)
        count += 1
    wb.save(target)
    return count


def _write_header(ws, columns: list[Column], text_ix: set[int]) -> None:
    """Size the columns, freeze the first row and write the labels into it in bold."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for i, col in enumerate(columns):
        width = 22 if i in text_ix else max(8, min(40, len(col.label) * 2 + 4))
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = "A2"
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col.label)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
