"""Who is told about an appeal's step: the handlers of its node, its assignee, its department.

Notices go out through core.notify (the in-app inbox and the deployment's webhooks) after the
step's transaction commits, so a rolled-back step tells nobody.
"""

from __future__ import annotations

from django.urls import reverse

from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.core.notify import notify
from xiangzhi.core.roles import Role
from xiangzhi.core.scope import department_area
from xiangzhi.core.webhooks import webhook_emit

from ..models import Appeal

# Who handles a village's appeals: its cadres and the grid workers of the appeal's grids.
HANDLER_ROLES = (Role.VILLAGE_SECRETARY, Role.VILLAGE_CADRE, Role.GRID_WORKER)


def _send(*, recipients: list[int], title: str, appeal: Appeal, event: str) -> None:
    """The inbox of each recipient and the deployment's webhooks for the appeal's node (both go
    out after the commit)."""
    link = reverse("appeals:detail", args=[appeal.pk])
    body = f"{appeal.number} {appeal.get_kind_display()}"
    notify(recipients=recipients, title=title, body=body, link=link, event=event)
    webhook_emit(event=event, node=appeal.node, title=title, body=body, link=link)


def handler_ids(appeal: Appeal) -> list[int]:
    """The users bound to the appeal's node or one of its ancestors down from the village."""
    node = appeal.node
    paths = [*node.ancestor_paths(), node.path]
    rows = RoleAssignment.objects.filter(
        role__in=HANDLER_ROLES, node__path__in=paths, node__level__gte=2, user__is_active=True
    )
    return sorted(set(rows.values_list("user_id", flat=True)))


def department_ids(appeal: Appeal) -> list[int]:
    """The active staff of the appeal's department in its township (core.scope's
    department_areas: the staff bound to no node, or to a node of that township)."""
    if not appeal.department_id:
        return []
    rows = RoleAssignment.objects.filter(
        role=Role.DEPARTMENT_STAFF, department_id=appeal.department_id, user__is_active=True
    ).values_list("user_id", "node__path", "node__level")
    path = appeal.node.path
    return sorted({user for user, at, level in rows if path.startswith(department_area(at, level))})


def notify_handlers(appeal: Appeal, title: str, event: str = "appeal.submitted") -> None:
    _send(recipients=handler_ids(appeal), title=title, appeal=appeal, event=event)


def notify_assignee(appeal: Appeal, title: str, event: str) -> None:
    """Tell whoever handles it now: the assignee, or the department's staff, or the handlers."""
    if appeal.assignee_id:
        recipients = [appeal.assignee_id]
    elif appeal.department_id:
        # A department with no staff in the appeal's township (or a county's own appeal): its
        # handlers are told, so that it is not left with no one knowing.
        recipients = department_ids(appeal) or handler_ids(appeal)
    else:
        recipients = handler_ids(appeal)
    _send(recipients=recipients, title=title, appeal=appeal, event=event)
