from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from .actions import ContractAction
from .models import Notice


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写标题"})
    if len(title) > 60:
        raise ValidationError({"title": "标题不能超过60个字"})
    return title


@transaction.atomic
@figures.batched  # the touch recounts only the figures over the tables written inside
def notice_post(*, actor: Actor, node: GridNode, title: str) -> tuple[Notice, bool]:
    """Pin a notice to a node (once per title); return it and whether it is new."""
    if not scope_for(actor).can_write_path(node.path):
        raise PermissionDenied("您对该网格只有查看权限")
    title = _clean_title(title)
    notice, created = Notice.objects.get_or_create(node=node, title=title)
    if created:
        figures.touch(node)  # the app keeps its registered figure (notices) exact
        audit_record(actor=actor, action=ContractAction.NOTICE_POST, obj=notice)
    return notice, created


@transaction.atomic
def notice_update(*, actor: Actor, notice: Notice, title: str) -> Notice:
    """Retitle a notice."""
    if not scope_for(actor).can_write_path(notice.scope_path()):
        raise PermissionDenied("您对该便签只有查看权限")
    before = notice.title
    notice.title = _clean_title(title)
    notice.save(update_fields=["title"])
    audit_record(
        actor=actor,
        action=ContractAction.NOTICE_UPDATE,
        obj=notice,
        changes={"title": [before, notice.title]},
    )
    return notice
