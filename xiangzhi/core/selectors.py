"""Reads of the audit trail and of a user's inbox, scoped like everything else."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import connection, models
from django.db.models import Case, Q, QuerySet, Value, When

from xiangzhi.core.types import Actor

from .models import AuditEvent, Notification, WebhookDelivery
from .registry import ACTIONS, LEGACY_ACTIONS, RETIRED_ACTIONS
from .roles import NODE_ROLES, Role
from .scope import path_q, scope_for


def audit_event_list(
    *,
    actor: Actor,
    node: models.Model | None = None,
    actor_label: str = "",
    person: int | None = None,
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
        visible = path_q(scope.audit_paths, "node__path")
        if scope.audits_township_wide:
            visible |= Q(node__isnull=True)
        qs = qs.filter(visible)
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    if actor_label:
        qs = qs.filter(actor_label=actor_label.strip())
    if person:
        qs = qs.filter(actor_id=person)
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


# The node chooser lists the grid down to this level (township, villages, branches): a town has
# about sixty such nodes, a county a thousand; a deeper node comes from its own page's 审计 link.
CHOOSER_DEPTH = 3


def audit_node_choices(*, actor: Actor, selected: int | None = None) -> list[tuple[int, str]]:
    """The grid nodes of the actor's scope the audit filter offers, each named with its level's
    indentation, in tree order (and the selected node, wherever it is)."""
    scope = scope_for(actor)
    GridNode = apps.get_model("grid", "GridNode")
    if not scope.can_audit:
        return []
    wanted = Q(level__lte=CHOOSER_DEPTH)
    if selected:
        wanted |= Q(pk=selected)
    qs = GridNode.objects.filter(wanted)
    if not scope.superuser:
        qs = qs.filter(path_q(scope.audit_paths, "path"))
    rows = list(qs.order_by("path").values_list("pk", "name", "level"))
    top = min((level for _, _, level in rows), default=0)
    return [(pk, "\u3000" * (level - top) + name) for pk, name, level in rows]


def audit_person_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """The accounts the audit filter offers: the staff bound to a node of the actor's scope
    (and, for a township-wide reader, department staff and administrators)."""
    scope = scope_for(actor)
    if not scope.can_audit:
        return []
    User = apps.get_model("accounts", "User")
    staff = Q(role_assignments__role__in=NODE_ROLES)
    if not scope.superuser:
        staff &= path_q(scope.audit_paths, "role_assignments__node__path")
    if scope.audits_township_wide:
        staff |= Q(role_assignments__role=Role.DEPARTMENT_STAFF) | Q(is_superuser=True)
    qs = User.objects.filter(staff)
    rows = (
        qs.distinct()
        .order_by("display_name", "username")
        .values_list("pk", "display_name", "username")
    )
    return [(pk, f"{name}（{username}）" if name else username) for pk, name, username in rows]


def _own_notifications(actor: Actor) -> QuerySet[Notification]:
    # Superusers see every row through for_actor; an inbox is its recipient's alone.
    return Notification.objects.for_actor(actor).filter(recipient_id=actor.pk)


def notification_list(*, actor: Actor) -> QuerySet[Notification]:
    """The actor's messages, unread first, newest first within each."""
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))
    return _own_notifications(actor).order_by(unread_first, "-created_at", "-pk")


BADGE_CAP = 100  # the badge shows "99+" from here on


def unread_count(*, actor: Actor, cap: int = BADGE_CAP) -> int:
    """How many of the actor's messages are unread, counted up to `cap` (the header's badge):
    one query reading at most `cap` keys of the (recipient, read_at) index, no COUNT."""
    if not getattr(actor, "is_authenticated", False):
        return 0
    # What _own_notifications(actor).filter(read_at__isnull=True) selects (an inbox is its
    # recipient's alone, whatever the scope), written out: every page's header runs it, and
    # compiling it through the ORM cost more than running it.
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [actor.pk, cap])
        return len(cursor.fetchall())


_UNREAD_SQL = (
    f"SELECT id FROM {Notification._meta.db_table} "
    "WHERE recipient_id = %s AND read_at IS NULL LIMIT %s"
)


def webhook_failure_list(*, actor: Actor) -> QuerySet[WebhookDelivery]:
    """The dead-letter list: deliveries given up, and those whose sending was cut off."""
    from .webhooks import stale_sending_q

    if not scope_for(actor).superuser:
        return WebhookDelivery.objects.none()
    dead = Q(status=WebhookDelivery.Status.DEAD) | stale_sending_q()
    return WebhookDelivery.objects.filter(dead).select_related("endpoint").order_by("-pk")
