"""The import engine every sheet kind runs on.

It reads the table through core.xlsx (every visible sheet with a header, rows numbered as Excel
shows them), hands the rows to the kind's steps in batches inside one transaction, rolls a dry
run back (and an all-or-nothing import that met an error) after counting what would have been
written, and records one summary audit event with the kind's declared action when it wrote.
The kind's steps say what a row means: `units()` groups the rows that are written together
(one row, or a household's rows), `write()` validates and writes a batch of units and counts
them in the report. The simple path (core.sheets.simple.RowImport) is one such pair of steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from django.db import transaction

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record, audit_record_many
from xiangzhi.core.dbstats import refresh_planner_statistics
from xiangzhi.core.registry import SHEET_KINDS
from xiangzhi.core.xlsx import Column, SheetError, Table, read_table

from .report import ImportReport

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser as User

    from .kinds import SheetKind

BATCH_ROWS = 500
ANALYZE_AFTER_ROWS = 1000  # an import that writes this many rows refreshes SQLite's statistics

SheetRow = tuple[str, int, dict[str, object]]  # (sheet, Excel row number, {key: raw value})
# What a row writer did with its row: the report counts each.
Written = Literal["created", "updated", "unchanged"]


class _Rollback(Exception):
    pass


class SheetImport:
    """One run of an import; `run(path)` returns the report. Subclasses are a kind's steps."""

    def __init__(
        self,
        *,
        actor: User,
        kind: SheetKind,
        dry_run: bool = False,
        all_or_nothing: bool = False,
        progress: Callable[[int], None] | None = None,
        batch_rows: int = BATCH_ROWS,
        source_name: str = "",
    ) -> None:
        self.actor = actor
        self.sheet_kind = kind
        self.kind = kind.key
        self.side = kind.imports
        self.dry_run = dry_run
        self.all_or_nothing = all_or_nothing
        self.progress = progress
        self.batch_rows = batch_rows
        self.source_name = source_name
        self.report = ImportReport()
        # The per-record audit events of the batch being written (audit_record_many).
        self.audit: list[dict] = []
        self.sheets: list[str] = []  # the sheets read, when there are several
        self.skip: set[str] = set()
        self.hidden: list[tuple[str, int]] = []
        self.labels: dict[str, dict[str, str]] = {}  # sheet -> key -> its header's label
        self.present: dict[str, set[str]] = {}  # sheet -> the keys its header maps

    # The kind's steps.

    def begin(self, table: Table) -> list[dict]:
        """Look at the sheets found before any row is read; return the complete sheets to skip
        as other lists ({"sheet": name, "missing": [labels]}). A SheetError refuses the file."""
        for h in table.headers:
            self.labels[h.sheet] = {c.key: h.labels.get(c.key, c.label) for c in self.columns}
            self.present[h.sheet] = set(h.columns)
        return []

    def units(self, rows: Iterator[SheetRow]) -> Iterator[list[Any]]:
        """Group the rows into units, each written whole (a row, or a household's rows)."""
        raise NotImplementedError

    def write(self, units: list[list[Any]]) -> None:
        """Validate and write a batch of units; count and report each row."""
        raise NotImplementedError

    # Helpers for the steps.

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.sheet_kind.columns

    def sheet_of(self, sheet: str) -> str:
        """The sheet an error names: only when the workbook has several sheets read."""
        return sheet if self.sheets else ""

    # The engine.

    def run(self, path: str | PathLike) -> ImportReport:
        try:
            table = read_table(path, list(self.columns), required=self.side.required)
            self.sheets = table.sheets if len(table.sheets) > 1 else []
            skip = self.begin(table)
        except SheetError as exc:
            self.report.error(0, "", str(exc))
            return self.report
        self.report.ignored_columns = table.unknown
        self.report.skipped_sheets = [
            {"sheet": h.sheet, "missing": h.missing} for h in table.skipped_sheets
        ] + skip
        self.skip = {s["sheet"] for s in skip}
        # The rows reader fills table.hidden as it goes; the report takes it at the end.
        self.hidden = table.hidden
        try:
            # The figures of the nodes the rows touched are recounted once, at the end of the
            # batch (bulk writes send no signal and touch each node once).
            with transaction.atomic(), figures.batch():
                self._write_batches(table)
                self._report_hidden()
                if self.dry_run or (self.all_or_nothing and self.report.errors):
                    raise _Rollback
        except _Rollback:
            # A dry run tells what would be written, which is nothing when all-or-nothing meets
            # an error.
            if not self.dry_run or (self.all_or_nothing and self.report.errors):
                self.report.created = self.report.updated = self.report.unchanged = 0
        else:
            self.report.written = True
            self._audit_summary(path)
            if self.report.created + self.report.updated >= ANALYZE_AFTER_ROWS:
                refresh_planner_statistics()
        order = {name: i for i, name in enumerate(self.sheets)}
        self.report.errors.sort(key=lambda e: (order.get(e.get("sheet", ""), 0), e["row"]))
        return self.report

    def _rows(self, table: Table) -> Iterator[SheetRow]:
        for sheet, number, values in table.rows:
            if sheet in self.skip:
                continue
            self.report.rows += 1
            yield sheet, number, values

    def _write_batches(self, table: Table) -> None:
        batch: list[list[Any]] = []
        size = 0
        for unit in self.units(self._rows(table)):
            batch.append(unit)
            size += len(unit)
            if size >= self.batch_rows:
                self._write_batch(batch)
                batch, size = [], 0
        self._write_batch(batch)

    def _write_batch(self, batch: list[list[Any]]) -> None:
        if not batch:
            return
        self.write(batch)
        # Audit each batch as it is written, so that memory holds one batch, not the whole file.
        audit_record_many(actor=self.actor, entries=self.audit)
        self.audit = []
        if self.progress:
            self.progress(self.report.rows)

    def _report_hidden(self) -> None:
        hidden = [(sheet, n) for sheet, n in self.hidden if sheet not in self.skip]
        self.report.hidden_rows = len(hidden)
        self.report.hidden_examples = [
            f"{sheet} 第 {n} 行" if self.sheets else f"第 {n} 行" for sheet, n in hidden[:10]
        ]

    def _audit_summary(self, path: str | PathLike) -> None:
        app = self.side.action.value.partition(".")[0]
        audit_record(
            actor=self.actor,
            action=self.side.action,
            object_type=f"{app}.import",
            object_repr=(self.source_name or Path(str(path)).name)[-200:],
            changes={k: v for k, v in self.report.as_dict().items() if k != "errors"}
            | {"error_rows": len(self.report.errors)},
        )


def sheet_import(
    *,
    actor: User,
    kind: str,
    path: str | PathLike,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: Callable[[int], None] | None = None,
    source_name: str = "",
) -> ImportReport:
    """Import a sheet of a registered kind (see the module docstring)."""
    sheet_kind = SHEET_KINDS.get(kind)
    if sheet_kind is None or sheet_kind.imports is None:
        raise ValueError(kind)
    if not getattr(actor, "is_superuser", False) and not sheet_kind.may_import(actor):
        # The pages check this before a job is queued; here for import_xlsx --user and for a
        # job whose uploader lost the role before the worker took it. (import_xlsx without
        # --user imports as a superuser, who writes everywhere.)
        report = ImportReport()
        report.error(0, "", str(sheet_kind.refused))
        return report
    return sheet_kind.imports.importer(
        actor=actor,
        kind=sheet_kind,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        progress=progress,
        source_name=source_name,
    ).run(path)
