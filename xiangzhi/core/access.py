"""Loaders of core's own pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from .models import Notification, WebhookDelivery
from .scope import access_object, scope_for
from .types import Actor


def access_audit_trail(actor: Actor) -> None:
    """Let through only the roles that read the audit trail (403 for the others)."""
    if not scope_for(actor).can_audit:
        raise PermissionDenied(gettext("只有总网格长、镇干部和审计人员可以查看审计日志"))


def access_notification(actor: Actor, pk: object) -> Notification:
    """One of the actor's own messages; anybody else's is a 404, like a missing one."""
    own = Notification.objects.filter(recipient_id=getattr(actor, "pk", None))
    return access_object(Notification, actor, pk, queryset=own)


def access_webhook_failures(actor: Actor) -> None:
    """Only system administrators read and retry failed webhook deliveries (403 otherwise)."""
    if not scope_for(actor).superuser:
        raise PermissionDenied(gettext("只有系统管理员可以查看消息推送失败记录"))


def access_webhook_delivery(actor: Actor, pk: object) -> WebhookDelivery:
    """A failed delivery for a system administrator to retry (404 for any other)."""
    from .selectors import webhook_failure_list

    access_webhook_failures(actor)
    return access_object(WebhookDelivery, actor, pk, queryset=webhook_failure_list(actor=actor))
