"""Reads of the audit trail, scoped like everything else."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q, QuerySet

from xiangzhi.core.types import Actor

from .models import AuditEvent
from .registry import ACTIONS, LEGACY_ACTIONS, RETIRED_ACTIONS
from .scope import path_q, scope_for


def audit_event_list(
    *,
    actor: Actor,
    node: models.Model | None = None,
    actor_label: str = "",
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events of the actor's subtree; node-less events (logins) only for township-wide users."""
    scope = scope_for(actor)
    qs = AuditEvent.objects.all()
    if not scope.can_audit:
        return qs.none()
    if not scope.superuser:
        visible = path_q(scope.read_paths, "node__path")
        if scope.township_wide:
            visible |= Q(node__isnull=True)
        qs = qs.filter(visible)
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    if actor_label:
        qs = qs.filter(actor_label=actor_label.strip())
    if object_type:
        qs = qs.filter(object_type=object_type.strip())
    if object_id:
        qs = qs.filter(object_id=object_id.strip())
    if action:
        qs = qs.filter(action__in=action_names(action.strip()))
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.select_related("node").order_by("-pk")  # seq counts per chain; pk is the trail order


def action_names(choice: str) -> list[str]:
    """The stored names an action filter matches: a declared name, or every action of an app
    ("people."), each with the legacy names its events were written under."""
    if choice.endswith("."):
        wanted = {name for name in ACTIONS if name.startswith(choice)}
        retired = [old for old in RETIRED_ACTIONS if old.startswith(choice)]
    else:
        wanted = {choice} if choice in ACTIONS else set()
        retired = []
    legacy = [old for old, new in LEGACY_ACTIONS.items() if new in wanted]
    return sorted(wanted) + legacy + retired
