"""Spreadsheets for every app: the kinds apps declare, the import engine, exports, import jobs.

An app declares a SheetKind (core.sheets.kinds) and registers it from its AppConfig.ready();
this package serves it: sheet_import() and sheet_export(), the upload, report and template
pages (core.sheets.views, namespace `sheets`), the background worker's tasks, and the
import_xlsx and export_xlsx commands.
"""

from .engine import BATCH_ROWS, SheetImport, SheetRow, Written, sheet_import
from .export import ledger_unit, sheet_export
from .kinds import (
    ExportSide,
    ImportSide,
    SheetKind,
    export_kinds,
    import_kinds,
    sheet_kind,
    writes_anywhere,
)
from .report import ImportReport, hidden_rows_notice
from .simple import RowImport

__all__ = [
    "BATCH_ROWS",
    "ExportSide",
    "ImportReport",
    "ImportSide",
    "RowImport",
    "SheetImport",
    "SheetKind",
    "SheetRow",
    "Written",
    "export_kinds",
    "hidden_rows_notice",
    "import_kinds",
    "ledger_unit",
    "sheet_export",
    "sheet_import",
    "sheet_kind",
    "writes_anywhere",
]
