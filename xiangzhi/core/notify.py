"""Notifications for app authors: the in-app inbox (站内消息) and outbound webhooks.

    notify(recipients=[user], title="积分申报待审核", link=reverse(...), event="points.claim_submit")
    webhook_emit(event="appeals.appeal_overdue", node=appeal.node, title="诉求已超期", body="...")

Both are called inside the service's transaction and act after it commits
(`transaction.on_commit`): a rolled-back write notifies nobody. Titles and bodies go to phones and
group chats: never put an ID number or a phone number in them. The webhook side lives in
`core/webhooks.py`; this module is the inbox and the one import an app needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .actions import CoreAction
from .audit import audit_record
from .models import Notification
from .selectors import notification_list
from .webhooks import muted, notifications_muted, webhook_emit

__all__ = [
    "notifications_muted",
    "notify",
    "webhook_emit",
    "notification_read",
    "notification_read_all",
]

TITLE_MAX = 200


def _safe_link(link: str) -> str:
    """A path inside the site: a link elsewhere (or a scheme) would send users off it."""
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValueError(f"a notification's link must be a path inside the site, not {link!r}")
    return link


def notify(
    *,
    recipients: Iterable[Any],
    title: str,
    body: str = "",
    link: str = "",
    event: str = "",
) -> None:
    """Put a message in each recipient's inbox (users or user ids) once the transaction commits."""
    ids = sorted({getattr(r, "pk", r) for r in recipients if r is not None})
    link = _safe_link(link)
    if not ids or muted():
        return
    title = title.strip()[:TITLE_MAX]
    event = event[:80]

    def create() -> None:
        now = timezone.now()
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=pk, title=title, body=body, link=link, event=event, created_at=now
                )
                for pk in ids
            ],
            batch_size=500,
        )

    transaction.on_commit(create)


# --- the inbox: services ----------------------------------------------------------------------


@transaction.atomic
def notification_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's messages read (again: nothing changes)."""
    if notification.recipient_id != actor.pk:
        raise ValidationError(gettext("只能标记自己的消息"))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
        audit_record(actor=actor, action=CoreAction.NOTIFICATION_READ, obj=notification)
    return notification


@transaction.atomic
def notification_read_all(*, actor) -> int:
    """Mark all the actor's messages read; how many were unread."""
    changed = (
        notification_list(actor=actor).filter(read_at__isnull=True).update(read_at=timezone.now())
    )
    if changed:
        audit_record(
            actor=actor,
            action=CoreAction.NOTIFICATION_READ_ALL,
            object_type="core.notification",
            object_repr=gettext("全部消息"),
            changes={"count": changed},
        )
    return changed
