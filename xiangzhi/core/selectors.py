"""Reads of the audit trail, scoped like everything else."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from .models import AuditEvent
from .scope import path_q, scope_for


def audit_event_list(
    *,
    actor,
    node=None,
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
        qs = qs.filter(action__startswith=action.strip())
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.select_related("node").order_by("-seq")
