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


def with_error_cells(path):
    """Turn every cell written as "ERR:#N/A" into what Excel writes for a formula whose result is
    an error: <c t="e"> with the formula and the cached error value (calamine reads it as "")."""
    import re
    import zipfile

    src = path.read_bytes()
    out = path.with_name(path.stem + "-errors.xlsx")
    cell = re.compile(rb'<c r="([A-Z]+\d+)"([^>]*) t="inlineStr"><is><t>ERR:([^<]*)</t></is></c>')
    with zipfile.ZipFile(__import__("io").BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = cell.sub(
                    rb'<c r="\1"\2 t="e"><f>VLOOKUP(A1,Sheet2!A:B,2,FALSE)</f><v>\3</v></c>', data
                )
            zout.writestr(item, data)
    return out


def ledger_rows(source) -> list[tuple]:
    """An exported ledger's rows from its header down (the title and signature lines above it
    are checked by tests/core/test_ledger_print.py): a path, bytes or a streaming response."""
    import io

    from openpyxl import load_workbook

    from xiangzhi.core.xlsx import HEADER_ROW

    if hasattr(source, "streaming_content"):
        source = b"".join(source.streaming_content)
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    ws = load_workbook(source).active
    return list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
