"""The app's sheet: columns and a row writer, nothing else (core.sheets does the rest)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from xiangzhi.core.sheets import ExportSide, ImportSide, SheetKind
from xiangzhi.core.types import Actor
from xiangzhi.core.xlsx import Column
from xiangzhi.grid.labels import GridLabelReader, grid_labels

from .actions import ContractAction
from .selectors import notice_list
from .services import notice_post


def notice_write(*, actor: Actor, values: dict) -> str:
    """One row: find the node by its label (in the actor's scope) and post the notice."""
    node = GridLabelReader(actor=actor).node(str(values.get("node", "")))
    if isinstance(node, str):
        raise ValidationError({"node": node})
    try:
        _, created = notice_post(actor=actor, node=node, title=str(values.get("title", "")))
    except PermissionDenied as exc:
        raise ValidationError({"node": str(exc)}) from None
    return "created" if created else "unchanged"


def notice_rows(*, actor: Actor, queryset) -> list:  # noqa: ANN001
    """Rows that import back: the node as its grid label, then the title."""
    labels = grid_labels(actor=actor)
    return [[labels.get(n.node.path, n.node.name), n.title] for n in queryset]


NOTICES = SheetKind(
    key="notices",
    label="便签表",
    columns=(Column("node", "所属网格"), Column("title", "标题", ("便签标题",))),
    imports=ImportSide(
        action=ContractAction.NOTICE_IMPORT,
        required=("node", "title"),
        write_row=notice_write,
        hint="每行一条",
    ),
    exports=ExportSide(
        action=ContractAction.NOTICE_EXPORT,
        records=notice_list,
        rows=lambda *, actor, queryset: notice_rows(actor=actor, queryset=queryset),
    ),
)
