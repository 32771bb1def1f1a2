"""One run of a registry import: the people kinds' steps plugged into core's sheet engine."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from xiangzhi.core import figures
from xiangzhi.core.scope import scope_for
from xiangzhi.core.sheets import SheetImport, SheetRow
from xiangzhi.core.xlsx import Table, clip
from xiangzhi.grid.labels import GridLabelReader
from xiangzhi.grid.models import GridNode

from ...models import Household, Tag
from . import header
from .cells import Row, parse_row
from .changes import Plan
from .check import clean_row
from .lookup import known_records
from .plan import plan_group
from .read import households
from .write import write_plan


class RegistryImport(SheetImport):
    """Residents (one row per person, grouped into households) or households (one row each)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        if self.kind not in ("residents", "households"):
            raise ValueError(self.kind)
        self.scope = scope_for(self.actor)
        tags = list(Tag.objects.all())
        self.tags = {t.name: t for t in tags} | {t.code: t for t in tags}
        self.grid = GridLabelReader(actor=self.actor)
        self.nodes: dict[str, GridNode | str] = {}
        # ID -> (sheet, row) of its first row; 户编号 -> node paths of households in any scope.
        self.seen_ids: dict[str, tuple[str, int]] = {}
        self.taken_numbers: dict[str, list[str]] = {}
        self.numbered: dict[tuple[str, str], Household] = {}
        self.today = timezone.localdate()

    # The engine's steps.

    def begin(self, table: Table) -> list[dict]:
        skip = header.other_lists(self.kind, table)
        # Each sheet's header, the same for all its rows: labels (for error reports) and columns.
        for h in table.headers:
            self.labels[h.sheet] = header.header_labels(h)
            self.present[h.sheet] = set(h.columns)
        return skip

    def units(self, rows: Iterator[SheetRow]) -> Iterator[list[Row]]:
        return households(rows, self._parse, kind=self.kind, report=self.report)

    def write(self, units: list[list[Row]]) -> None:
        rows = [r for g in units for r in g]
        for r in rows:
            clean_row(r, today=self.today, seen_ids=self.seen_ids)
        known = known_records(self, rows)
        plan = Plan()
        for group in units:
            plan_group(self, group, known, plan)
        # The figures of every node the rows name, and of the nodes households leave, are
        # recounted once at the end of the import (the engine's figures.batch()).
        left = [h.node for h, c in plan.household_updates.values() if "node" in c]
        write_plan(plan, self)
        figures.touch(*left, *(n for n in self.nodes.values() if isinstance(n, GridNode)))

    # What the steps share.

    def _parse(self, sheet: str, number: int, values: dict) -> Row:
        return parse_row(
            values,
            number=number,
            sheet=self.sheet_of(sheet),
            labels=self.labels[sheet],
            present=self.present[sheet],
            kind=self.kind,
            tags=self.tags,
        )

    def node(self, text: str) -> GridNode | str:
        """The grid node named by a code or a path of names, where the actor may write; a
        Chinese message when it is none."""
        if text not in self.nodes:
            node = self.grid.node(text)
            if isinstance(node, GridNode) and not self.scope.can_write_path(node.path):
                node = f"网格“{clip(text)}”不在您的管辖范围内（或您只有查看权限）"
            self.nodes[text] = node
        return self.nodes[text]

    def report_errors(self, rows: list[Row]) -> None:
        for r in rows:
            for column, message in r.errors:
                self.report.error(r.number, column, message, r.sheet)
