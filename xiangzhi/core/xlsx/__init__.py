"""The spreadsheet engine: read the 台账 that cadres really keep (python-calamine, streaming) and
write lists back as .xlsx (openpyxl write-only). Apps declare their columns in their own
`xlsx.py`; this package knows sheets, headers and cell values, not the domain."""

from .cells import CellError, ErrorCell, clip, compact, id_number, text
from .dates import FirstOfMonth, MonthOnly, date
from .header import Column, Header
from .read import SheetError
from .table import Table, read_table
from .write import HEADER_ROW, as_of, period_text, sheet_text, write_xlsx

__all__ = [
    "CellError",
    "Column",
    "ErrorCell",
    "FirstOfMonth",
    "Header",
    "MonthOnly",
    "SheetError",
    "Table",
    "clip",
    "compact",
    "date",
    "id_number",
    "read_table",
    "text",
    "write_xlsx",
    "HEADER_ROW",
    "as_of",
    "period_text",
    "sheet_text",
]
