"""The simple path of an import: one row at a time, through the kind's row writer.

Each cell is read with its column's reader (xlsx.text unless the kind names another, such as
xlsx.date); a cell that cannot be read is an error of its row and column. The cleaned values
go to `write_row(actor=..., values=...)`, which calls the app's service and says whether it
created, updated or left a record unchanged; a ValidationError it raises is an error of the
row, in the column of the field it names. Each row runs in a savepoint, so a row that fails
leaves nothing half-written, and the engine's transaction holds the whole import.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from xiangzhi.core import xlsx

from .engine import SheetImport, SheetRow, Written

WRITTEN = frozenset(get_args(Written))


def _messages(exc: ValidationError) -> Iterator[tuple[str, str]]:
    """(field, message) of each message; the field is "" for a message about the whole row."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            for message in messages:
                yield ("" if name == NON_FIELD_ERRORS else name), message
    else:
        for message in exc.messages:
            yield "", message


class RowImport(SheetImport):
    """Each row is its own unit, read cell by cell and written by the kind's row writer."""

    def units(self, rows: Iterator[SheetRow]) -> Iterator[list[Any]]:
        for row in rows:
            yield [row]

    def write(self, units: list[list[Any]]) -> None:
        for [(sheet, number, values)] in units:
            cleaned = self._cells(sheet, number, values)
            if cleaned is not None:
                self._write_row(sheet, number, cleaned)

    def _cells(self, sheet: str, number: int, values: dict) -> dict | None:
        """The row's cleaned values (None when a cell cannot be read; each such cell reported)."""
        cleaned: dict[str, object] = {}
        failed = False
        for key, raw in values.items():  # the keys this sheet's header maps
            reader = self.side.readers.get(key, xlsx.text)
            try:
                cleaned[key] = reader(raw)
            except xlsx.CellError as exc:
                self.report.error(number, self.labels[sheet][key], str(exc), self.sheet_of(sheet))
                failed = True
        return None if failed else cleaned

    def _write_row(self, sheet: str, number: int, values: dict) -> None:
        try:
            with transaction.atomic():
                written = self.side.write_row(actor=self.actor, values=values)
        except ValidationError as exc:
            labels = self.labels[sheet]
            for name, message in _messages(exc):
                self.report.error(number, labels.get(name, ""), message, self.sheet_of(sheet))
            return
        if written not in WRITTEN:
            raise TypeError(f"{self.kind}: write_row returned {written!r}, not one of {WRITTEN}")
        setattr(self.report, written, getattr(self.report, written) + 1)
