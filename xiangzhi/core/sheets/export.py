"""Exports: a kind's list as the actor sees it (scope, a page's filters, masks), as an .xlsx."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Iterator
from os import PathLike
from typing import TYPE_CHECKING, BinaryIO

from django.apps import apps
from django.db.models import Model

from xiangzhi.core.audit import audit_record
from xiangzhi.core.registry import SHEET_KINDS
from xiangzhi.core.scope import home_node, scope_for
from xiangzhi.core.xlsx import Column, write_xlsx

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser as User

_PLAIN = (str, int, float, decimal.Decimal, dt.date)


def _attribute_rows(columns: Iterable[Column], records: Iterable[object]) -> Iterator[list[object]]:
    """Each record's attribute named by each column's key (the default of a simple kind)."""
    keys = [c.key for c in columns]
    items = records.iterator(chunk_size=2000) if hasattr(records, "iterator") else records
    for obj in items:
        values = (getattr(obj, key, "") for key in keys)
        yield [v if v is None or isinstance(v, _PLAIN) else str(v) for v in values]


def ledger_unit(*, actor: User, node: Model | None = None) -> str:
    """Who keeps a ledger, for its title row: the node the list was narrowed to, else the nodes
    the actor's roles are bound to (the grid's roots for a superuser)."""
    if node is not None:
        return str(node)
    GridNode = apps.get_model("grid", "GridNode")  # core learns of the grid by name only
    scope = scope_for(actor)
    if scope.superuser:
        nodes = GridNode.objects.filter(parent=None)
    else:
        nodes = GridNode.objects.filter(path__in=scope.read_paths)
    names = list(nodes.order_by("path").values_list("name", flat=True)[:4])
    return "、".join(names[:3]) + ("等" if len(names) > 3 else "")


def sheet_export(
    *,
    actor: User,
    kind: str,
    target: str | PathLike | BinaryIO,
    queryset: Iterable[object] | None = None,
    node: Model | None = None,
    period: str = "",
) -> int:
    """Write the kind's list to `target` (a path or a binary file), audit it, return the rows.

    `queryset` is the list as a page filtered it; without it, the kind's records under `node`
    (the whole scope when node is None). `period` goes into the title row (a month of changes);
    a list of records as they are now says "截至" today."""
    sheet_kind = SHEET_KINDS.get(kind)
    if sheet_kind is None or sheet_kind.exports is None:
        raise ValueError(kind)
    side = sheet_kind.exports
    if queryset is None:
        queryset = side.records(actor=actor, node=node)
    if side.rows is not None:
        rows = side.rows(actor=actor, queryset=queryset)
    else:
        rows = _attribute_rows(sheet_kind.columns, queryset)
    count = write_xlsx(
        target,
        list(sheet_kind.columns),
        rows,
        title=sheet_kind.label,
        text_columns=side.text_columns,
        unit=ledger_unit(actor=actor, node=node),
        period=period,
    )
    audit_record(
        actor=actor,
        action=side.action,
        # A whole-scope export is filed under the exporter's topmost bound node: that township's
        # chain, read by the auditors there (a village's own auditors included).
        object_type=f"{side.action.value.partition('.')[0]}.export",
        node=node if node is not None else home_node(actor),
        object_repr=sheet_kind.label,
        changes={"rows": count},
    )
    return count
