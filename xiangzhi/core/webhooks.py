"""Outbound webhooks: events posted to the endpoints a deployment configured (core.WebhookEndpoint).

`webhook_emit` (also exported by core.notify) queues one `WebhookDelivery` per interested endpoint
after the caller's transaction commits, and one worker task per delivery. The task tries it
(`delivery_attempt`): it claims the row in a short transaction (pending -> sending, attempts + 1),
posts with a short timeout outside any transaction (a slow receiver holds no lock and no SQLite
write), and records the outcome in another: sent, pending again after a backoff (1 min, 5 min,
30 min, 2 h), or dead after the fifth attempt, where a superuser may retry it from the dead-letter
page. A delivery is claimed before it is posted, and only a pending one is claimed, so it is never
posted twice; one whose worker died while posting stays "sending" and shows on the dead-letter
page after STALE_AFTER (its outcome is unknown: a person decides whether to send it again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from .actions import CoreAction
from .audit import audit_record
from .models import WebhookDelivery, WebhookEndpoint

BACKOFF = (  # the wait before each retry; one attempt more than waits, then dead
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 5
STALE_AFTER = dt.timedelta(minutes=10)  # a "sending" row older than this was cut off
SIGNATURE_HEADER = "X-Xiangzhi-Signature"
Status = WebhookDelivery.Status


# --- emitting -----------------------------------------------------------------------------------

# Set inside `notifications_muted()`: notify() and webhook_emit() send nothing.
_MUTED: ContextVar[bool] = ContextVar("xiangzhi_notifications_muted", default=False)


@contextmanager
def notifications_muted() -> Iterator[None]:
    """Send no inbox message and no webhook for the writes inside: an import that replays past
    records (last year's appeals) through the services is history, not news for anyone."""
    token = _MUTED.set(True)
    try:
        yield
    finally:
        _MUTED.reset(token)


def muted() -> bool:
    return _MUTED.get()


def _node_of(node: Any) -> tuple[int | None, str, str]:
    """(id, name, path) of a node, a node id or None."""
    if node is None:
        return None, "", ""
    if not hasattr(node, "path"):
        from django.apps import apps

        node = apps.get_model("grid", "GridNode").objects.only("name", "path").get(pk=node)
    return node.pk, node.name, node.path


def _wants(endpoint: WebhookEndpoint, event: str, node_path: str, paths: dict[int, str]) -> bool:
    names = endpoint.event_names()
    if names and event not in names:
        return False
    if endpoint.node_id is None:
        return True
    return bool(node_path) and node_path.startswith(paths.get(endpoint.node_id, "\0"))


def webhook_emit(*, event: str, node: Any, title: str, body: str, link: str = "") -> None:
    """Post an event to every active endpoint serving `node`'s subtree, after the commit."""
    if muted():
        return
    node_id, node_name, node_path = _node_of(node)

    def queue() -> None:
        endpoints = list(WebhookEndpoint.objects.filter(active=True).select_related("node"))
        paths = {e.node_id: e.node.path for e in endpoints if e.node_id is not None}
        wanted = [e for e in endpoints if _wants(e, event, node_path, paths)]
        if not wanted:
            return
        with transaction.atomic():
            rows = WebhookDelivery.objects.bulk_create(
                [
                    WebhookDelivery(
                        endpoint=e,
                        event=event[:80],
                        title=title[:200],
                        body=body,
                        link=link[:500],
                        node_id=node_id,
                        node_name=node_name[:200],
                    )
                    for e in wanted
                ]
            )
            for row in rows:
                webhook_deliver.enqueue(row.pk)

    transaction.on_commit(queue)


# --- posting ------------------------------------------------------------------------------------


def _absolute(link: str) -> str:
    base = getattr(settings, "XIANGZHI_PUBLIC_URL", "").rstrip("/")
    return f"{base}{link}" if link and base else link


def payload(delivery: WebhookDelivery, sent_at: dt.datetime) -> bytes:
    """The body posted for a delivery, in its endpoint's format."""
    link = _absolute(delivery.link)
    if delivery.endpoint.format == WebhookEndpoint.Format.WECOM:
        lines = [f"**{delivery.title}**"]
        if delivery.node_name:
            lines.append(f"> {delivery.node_name}")
        if delivery.body:
            lines.append(delivery.body)
        if link:
            lines.append(f"[{gettext('查看详情')}]({link})")
        data: dict[str, Any] = {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}
    else:
        data = {
            "event": delivery.event,
            "title": delivery.title,
            "body": delivery.body,
            "link": link,
            "node": {"id": delivery.node_id, "name": delivery.node_name}
            if delivery.node_id
            else None,
            "sent_at": sent_at.isoformat(timespec="seconds"),
        }
    return json.dumps(data, ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A configured URL is the only place a delivery goes: a redirect is a failure, not a hop.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(delivery: WebhookDelivery, now: dt.datetime) -> tuple[bool, int | None, str]:
    """Post once: (delivered, status code, error)."""
    endpoint = delivery.endpoint
    body = payload(delivery, now)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "xiangzhi-webhook",
        "X-Xiangzhi-Event": delivery.event,
        "X-Xiangzhi-Delivery": str(delivery.pk),  # receivers may drop a repeat by it
    }
    if endpoint.format == WebhookEndpoint.Format.JSON and endpoint.secret:
        headers[SIGNATURE_HEADER] = signature(endpoint.secret, body)
    request = urllib.request.Request(endpoint.url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            code, answer = response.status, response.read(2048)
    except urllib.error.HTTPError as exc:
        return False, exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, None, str(getattr(exc, "reason", exc))[:500]
    if not 200 <= code < 300:
        return False, code, f"HTTP {code}"
    if endpoint.format == WebhookEndpoint.Format.WECOM:
        # WeCom answers 200 with {"errcode": 93000, ...} for a wrong key or a bad message.
        try:
            errcode = json.loads(answer or b"{}").get("errcode", 0)
        except (ValueError, AttributeError):
            errcode = 0
        if errcode:
            return False, code, f"errcode {errcode}"
    return True, code, ""


def _claim(pk: int, now: dt.datetime) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=pk, status=Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        delivery.status, delivery.claimed_at = Status.SENDING, now
        delivery.attempts += 1
        delivery.save(update_fields=["status", "claimed_at", "attempts"])
    return delivery


def delivery_attempt(pk: int, *, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """Try a due pending delivery once and record the outcome; None when there was nothing to do
    (sent already, dead, being sent, not due yet, or gone)."""
    now = now or timezone.now()
    delivery = _claim(pk, now)
    if delivery is None:
        return None
    ok, code, error = _post(delivery, now)
    delivery.last_status_code, delivery.last_error = code, error
    if ok:
        delivery.status, delivery.sent_at = Status.SENT, timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = Status.DEAD
    else:
        delivery.status = Status.PENDING
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=pk, status=Status.SENDING).update(
            status=delivery.status,
            sent_at=delivery.sent_at,
            next_attempt_at=delivery.next_attempt_at,
            last_status_code=code,
            last_error=error,
        )
    return delivery


def _schedule(delivery: WebhookDelivery) -> None:
    backend = webhook_deliver.get_backend()
    if getattr(backend, "supports_defer", False):
        webhook_deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)


@task()
def webhook_deliver(delivery_id: int) -> str:
    """The worker's try of one delivery; a failure queues the next try after its backoff."""
    delivery = delivery_attempt(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == Status.PENDING:
        _schedule(delivery)
    return delivery.status


# --- the dead-letter list --------------------------------------------------------------------------


def stale_sending_q(now: dt.datetime | None = None) -> Q:
    """Deliveries whose sending was cut off (the worker died while posting)."""
    return Q(status=Status.SENDING, claimed_at__lt=(now or timezone.now()) - STALE_AFTER)


@transaction.atomic
def webhook_delivery_retry(*, actor: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a dead (or cut-off) delivery again, from the first attempt; never a sent one."""
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    stale = WebhookDelivery.objects.filter(stale_sending_q(), pk=locked.pk).exists()
    if locked.status != Status.DEAD and not stale:
        raise ValidationError(gettext("该消息已发送或正在发送，不能重新推送"))
    locked.status, locked.attempts = Status.PENDING, 0
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(
        actor=actor,
        action=CoreAction.WEBHOOK_DELIVERY_RETRY,
        obj=locked,
        changes={"endpoint": locked.endpoint_id, "event": locked.event},
    )
    transaction.on_commit(lambda: webhook_deliver.enqueue(locked.pk))
    return locked
