"""Build the sheets cadres really send, for import tests."""

from __future__ import annotations

from openpyxl import Workbook


def make_sheet(
    path, rows, *, title_row: str | None = None, merge_title: bool = True, two_row_header=None
):
    wb = Workbook()
    ws = wb.active
    if title_row:
        ws.append([title_row])
        if merge_title and rows:
            ws.merge_cells(
                start_row=1, start_column=1, end_row=1, end_column=max(len(r) for r in rows)
            )
    if two_row_header:
        top, bottom = two_row_header
        ws.append(top)
        ws.append(bottom)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def make_book(path, sheets: dict[str, list[list]]):
    """A workbook of several sheets, in order: {sheet name: rows}."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path
