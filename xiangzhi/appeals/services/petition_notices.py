"""Telling people about petitions and disputes: the department's staff and the node's cadres
get an inbox message, the deployment's webhooks an event (both after the commit)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.core.audit_display import mask_personal
from xiangzhi.core.notify import notify
from xiangzhi.core.roles import Role
from xiangzhi.core.webhooks import webhook_emit
from xiangzhi.grid.models import GridNode

from ..models.disputes import Dispute
from ..models.petitions import Petition

CADRES = (Role.VILLAGE_SECRETARY, Role.VILLAGE_CADRE)


def _recipients(node: GridNode, department_id: int | None) -> list[int]:
    paths = [*node.ancestor_paths(), node.path]
    rows = RoleAssignment.objects.filter(user__is_active=True).filter(
        role__in=CADRES, node__path__in=paths, node__level__gte=2
    )
    ids = set(rows.values_list("user_id", flat=True))
    if department_id:
        staff = RoleAssignment.objects.filter(
            role=Role.DEPARTMENT_STAFF, department_id=department_id, user__is_active=True
        )
        ids |= set(staff.values_list("user_id", flat=True))
    return sorted(ids)


def _send(
    *, node: GridNode, department_id: int | None, title: str, body: str, link: str, event: str
) -> None:
    # A subject or title is free text a cadre types, often with a phone or an ID number; the
    # inbox reaches every department member and a webhook a third party's robot: masked.
    body = mask_personal(body)
    notify(
        recipients=_recipients(node, department_id), title=title, body=body, link=link, event=event
    )
    webhook_emit(event=event, node=node, title=title, body=body, link=link)


def petition_notice(petition: Petition, title: str, event: str) -> None:
    due = petition.due()
    body = gettext("%(subject)s，期限%(due)s") % {
        "subject": petition.subject,
        "due": due.isoformat() if due else "—",
    }
    link = reverse("appeals:petition_detail", args=[petition.pk])
    _send(
        node=petition.node,
        department_id=petition.department_id,
        title=title,
        body=body,
        link=link,
        event=event,
    )


def dispute_notice(dispute: Dispute, title: str, event: str) -> None:
    link = reverse("appeals:dispute_detail", args=[dispute.pk])
    _send(
        node=dispute.node,
        department_id=dispute.department_id,
        title=title,
        body=dispute.title,
        link=link,
        event=event,
    )


def petition_deadline_sweep() -> int:
    """Announce each petition whose decision or finish limit has passed, once per limit
    (idempotent: the limit announced is kept on the petition). Returns how many."""
    today = timezone.localdate()
    late = Petition.objects.select_related("node").filter(
        state__in=(Petition.State.RECEIVED, Petition.State.ACCEPTED)
    )
    count = 0
    for petition in late.iterator():
        due = petition.due()
        if due is None or due >= today or petition.overdue_notified == due:
            continue
        with transaction.atomic():
            updated = (
                Petition.objects.filter(pk=petition.pk, state=petition.state)
                .exclude(overdue_notified=due)
                .update(overdue_notified=due)
            )
            if updated:
                petition_notice(petition, gettext("信访事项已超过法定期限"), "petition.overdue")
                count += 1
    return count
