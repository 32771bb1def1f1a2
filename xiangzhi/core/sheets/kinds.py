"""What an app declares to have its lists imported and exported as spreadsheets: a SheetKind.

A kind names its columns (header aliases included) and, for each side it offers, the audit
action of that side. The import side is either a row writer (the simple path: a function that
takes the actor and one row's cleaned values and calls the app's service) or an importer class
with the kind's own steps (people's residents, which group rows into households); the export
side is the list as the actor sees it and the rows written for it. Register the kind with
`core.registry.register_sheet_kind` in the app's AppConfig.ready(); the upload, report and
template pages, the export page and the import_xlsx/export_xlsx commands then serve it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from xiangzhi.core.registry import SHEET_KINDS, AuditAction
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.core.xlsx import Column

from .engine import SheetImport, Written
from .simple import RowImport


def writes_anywhere(actor: Actor) -> bool:
    """The default import check: the actor may write somewhere in the grid."""
    return scope_for(actor).writes_anywhere


@dataclass(frozen=True)
class ImportSide:
    """How a kind's sheets are imported.

    `write_row(*, actor, values) -> Written` is the simple path: `values` holds the cleaned cell
    of each column the sheet has (read with `readers[key]`, xlsx.text by default), and a
    ValidationError (a dict names the field) becomes an error of that row and column. A kind
    with its own steps names a SheetImport subclass as `importer` instead.
    """

    action: AuditAction  # the summary event of an import that wrote
    required: tuple[str, ...] = ()  # column keys a sheet must have
    write_row: Callable[..., Written] | None = None
    readers: Mapping[str, Callable[[object], object]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    importer: type[SheetImport] = RowImport
    hint: str = ""  # beside the label on the upload form: 居民花名册(每人一行)
    # What the upload and report pages call the sheets this kind takes (导入花名册, 看起来不是
    # 花名册); the label when empty.
    noun: str = ""
    help: str = ""  # the upload page's explanation
    nav: str = ""  # the main navigation entry the upload page belongs to
    # (*, actor, kind, target) -> None: a blank sheet to fill in; the header row when None.
    template: Callable[..., None] | None = None

    def __post_init__(self) -> None:
        if self.importer is RowImport and self.write_row is None:
            raise ValueError("an import side needs a write_row, or an importer with its own steps")


@dataclass(frozen=True)
class ExportSide:
    """How a kind's list is exported: the list as the actor sees it, as rows in column order."""

    action: AuditAction
    records: Callable[..., Any]  # (*, actor, node=None) -> the records, scope applied
    # (*, actor, queryset) -> rows; None writes each column's attribute of each record.
    rows: Callable[..., Iterable[Iterable[object]]] | None = None
    text_columns: tuple[str, ...] = ()  # keys written as text cells (IDs, phone numbers)


@dataclass(frozen=True)
class SheetKind:
    key: str  # the name in URLs and on the command line: residents
    label: str  # the sheet's Chinese name, its export title: 居民花名册
    columns: tuple[Column, ...]
    imports: ImportSide | None = None
    exports: ExportSide | None = None
    may_import: Callable[[Any], bool] = writes_anywhere  # the write role an import needs
    refused: str = "您没有导入这类表格的权限"  # said when may_import refuses

    @property
    def import_label(self) -> str:
        """The label with its hint, as the upload form and the job pages show it."""
        hint = self.imports.hint if self.imports else ""
        return f"{self.label}（{hint}）" if hint else self.label

    @property
    def import_noun(self) -> str:
        return (self.imports.noun if self.imports else "") or self.label


def sheet_kind(key: str) -> SheetKind:
    """The registered kind named `key` (KeyError when there is none)."""
    return SHEET_KINDS[key]


def import_kinds() -> list[SheetKind]:
    """The kinds that import, in the order they were registered."""
    return [k for k in SHEET_KINDS.values() if k.imports is not None]


def export_kinds() -> list[SheetKind]:
    return [k for k in SHEET_KINDS.values() if k.exports is not None]
