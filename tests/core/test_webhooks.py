"""Outbound webhooks (core.webhooks), against a real HTTP server on 127.0.0.1: both formats, the
signature, retries with backoff, dead after the last attempt, the dead-letter page's retry, the
grid subtree and events an endpoint serves, and nothing sent for a rolled-back write."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from xiangzhi.core.actions import CoreAction
from xiangzhi.core.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from xiangzhi.core.notify import webhook_emit
from xiangzhi.core.webhooks import BACKOFF, MAX_ATTEMPTS, delivery_attempt, webhook_deliver

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


class Receiver:
    """A local HTTP server that records each POST and answers with the next planned status."""

    def __init__(self, plan=(200,), answer: bytes = b'{"errcode":0,"errmsg":"ok"}'):
        self.requests: list[tuple[dict, bytes]] = []
        self.plan = list(plan)
        self.answer = answer
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.plan.pop(0) if len(receiver.plan) > 1 else receiver.plan[0]
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook?key=robot-key"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(*args, **kwargs) -> Receiver:
        made.append(Receiver(*args, **kwargs))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _endpoint(url: str, **kw) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(name=kw.pop("name", "甲村工作群"), url=url, **kw)


def _emit(capture, node, event="appeals.appeal_overdue", **kw) -> list[WebhookDelivery]:
    before = set(WebhookDelivery.objects.values_list("pk", flat=True))
    with capture(execute=True):
        webhook_emit(
            event=event,
            node=node,
            title=kw.get("title", "诉求已超期"),
            body=kw.get("body", "甲村一件求助诉求已超过办理时限。"),
            link=kw.get("link", "/people/"),
        )
    return list(WebhookDelivery.objects.exclude(pk__in=before).order_by("pk"))


def test_a_wecom_robot_gets_a_markdown_message(world, receiver, django_capture_on_commit_callbacks):
    r = receiver()
    _endpoint(r.url, format="wecom")
    [delivery] = _emit(django_capture_on_commit_callbacks, world.a.grid)
    assert DBTaskResult.objects.filter(
        task_path=webhook_deliver.module_path, args_kwargs__args=[delivery.pk]
    ).exists()  # the worker's task is queued with the row

    assert delivery_attempt(delivery.pk).status == Status.SENT
    [(headers, body)] = r.requests
    message = json.loads(body)
    assert message["msgtype"] == "markdown"
    content = message["markdown"]["content"]
    assert "**诉求已超期**" in content and "超过办理时限" in content and "/people/" in content
    assert "X-Xiangzhi-Signature" not in headers
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.last_status_code == 200


def test_a_json_endpoint_gets_the_event_signed_with_its_secret(
    world, receiver, django_capture_on_commit_callbacks
):
    r = receiver()
    _endpoint(r.url, format="json", secret="s3cret")
    [delivery] = _emit(django_capture_on_commit_callbacks, world.a.grid)
    delivery_attempt(delivery.pk)
    [(headers, body)] = r.requests
    data = json.loads(body)
    assert set(data) == {"event", "title", "body", "link", "node", "sent_at"}
    assert data["event"] == "appeals.appeal_overdue" and data["title"] == "诉求已超期"
    assert data["node"] == {"id": world.a.grid.pk, "name": world.a.grid.name}
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Xiangzhi-Signature"] == expected
    assert headers["X-Xiangzhi-Delivery"] == str(delivery.pk)


def test_a_failing_endpoint_is_retried_after_its_backoff_and_then_delivered(
    world, receiver, django_capture_on_commit_callbacks
):
    r = receiver(plan=(500, 200))
    _endpoint(r.url, format="json")
    [delivery] = _emit(django_capture_on_commit_callbacks, world.a.grid)
    t0 = timezone.now()
    first = delivery_attempt(delivery.pk, now=t0)
    assert first.status == Status.PENDING and first.last_status_code == 500
    assert first.next_attempt_at == t0 + BACKOFF[0]
    # Not due yet: nothing is posted.
    assert delivery_attempt(delivery.pk, now=t0 + dt.timedelta(seconds=30)) is None
    assert len(r.requests) == 1
    second = delivery_attempt(delivery.pk, now=t0 + BACKOFF[0])
    assert second.status == Status.SENT and second.attempts == 2
    assert len(r.requests) == 2


def test_the_worker_task_queues_the_next_try_after_a_failure(
    world, receiver, django_capture_on_commit_callbacks
):
    r = receiver(plan=(503,))
    _endpoint(r.url, format="json")
    [delivery] = _emit(django_capture_on_commit_callbacks, world.a.grid)
    assert webhook_deliver.call(delivery.pk) == Status.PENDING
    queued = DBTaskResult.objects.filter(
        task_path=webhook_deliver.module_path, args_kwargs__args=[delivery.pk]
    )
    assert queued.count() == 2  # the first try's, and the retry's
    [retry] = [q.run_after for q in queued if q.run_after != get_date_max()]
    assert timezone.now() + dt.timedelta(seconds=50) < retry < timezone.now() + BACKOFF[1]


def test_a_delivery_is_dead_after_the_last_attempt_and_a_superuser_retries_it(
    client, world, receiver, django_capture_on_commit_callbacks
):
    r = receiver(plan=(500,))
    _endpoint(r.url, format="wecom")
    [delivery] = _emit(django_capture_on_commit_callbacks, world.a.grid)
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        d = delivery_attempt(delivery.pk, now=now)
        now = d.next_attempt_at
    assert d.status == Status.DEAD and d.attempts == MAX_ATTEMPTS
    assert delivery_attempt(delivery.pk, now=now + dt.timedelta(days=1)) is None
    assert len(r.requests) == MAX_ATTEMPTS

    client.force_login(world.admin)
    page = client.get("/core/webhooks/failed/").content.decode()
    assert "诉求已超期" in page and "对方返回 500" in page
    r.plan = [200]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/core/webhooks/failed/", {"delivery": delivery.pk})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action=CoreAction.WEBHOOK_DELIVERY_RETRY, object_id=str(delivery.pk)
    ).exists()
    assert delivery_attempt(delivery.pk).status == Status.SENT
    assert "没有推送失败的消息" in client.get("/core/webhooks/failed/").content.decode()


def test_a_sent_delivery_is_never_sent_again(world, receiver, django_capture_on_commit_callbacks):
    r = receiver()
    _endpoint(r.url, format="json")
    [delivery] = _emit(django_capture_on_commit_callbacks, world.a.grid)
    delivery_attempt(delivery.pk)
    assert delivery_attempt(delivery.pk) is None
    assert webhook_deliver.call(delivery.pk) == "skipped"
    assert len(r.requests) == 1


def test_a_sent_delivery_cannot_be_retried_from_the_page(
    client, world, receiver, django_capture_on_commit_callbacks
):
    r = receiver()
    _endpoint(r.url, format="json")
    [delivery] = _emit(django_capture_on_commit_callbacks, world.a.grid)
    delivery_attempt(delivery.pk)
    client.force_login(world.admin)
    assert client.post("/core/webhooks/failed/", {"delivery": delivery.pk}).status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT


def test_a_rolled_back_write_sends_nothing(world, receiver, django_capture_on_commit_callbacks):
    r = receiver()
    _endpoint(r.url, format="json")
    before = WebhookDelivery.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                webhook_emit(event="x.y", node=world.a.grid, title="不会发出", body="")
                raise RuntimeError("the service failed")
        except RuntimeError:
            pass
    assert WebhookDelivery.objects.count() == before
    assert r.requests == []


def test_an_endpoint_serves_its_subtree_and_its_events_only(
    world, receiver, django_capture_on_commit_callbacks
):
    r = receiver()
    village_a = _endpoint(r.url, format="json", node=world.a.node)
    overdue_only = _endpoint(r.url, name="全镇超期", events="appeals.appeal_overdue\npoints.x")
    _endpoint(r.url, name="停用", active=False)
    emitted = _emit(django_capture_on_commit_callbacks, world.b.grid, event="points.claim_final")
    assert emitted == []
    emitted = _emit(django_capture_on_commit_callbacks, world.b.grid)
    assert [d.endpoint_id for d in emitted] == [overdue_only.pk]
    emitted = _emit(django_capture_on_commit_callbacks, world.a.grid)
    assert {d.endpoint_id for d in emitted} == {village_a.pk, overdue_only.pk}


def test_an_unreachable_endpoint_records_the_error(world, django_capture_on_commit_callbacks):
    _endpoint("http://127.0.0.1:9/nothing-listens-here", format="json")
    [delivery] = _emit(django_capture_on_commit_callbacks, world.a.grid)
    d = delivery_attempt(delivery.pk)
    assert d.status == Status.PENDING and d.last_status_code is None and d.last_error


def test_a_wecom_error_code_counts_as_a_failure(
    world, receiver, django_capture_on_commit_callbacks
):
    r = receiver(answer=b'{"errcode":93000,"errmsg":"invalid webhook url"}')
    _endpoint(r.url, format="wecom")
    [delivery] = _emit(django_capture_on_commit_callbacks, world.a.grid)
    d = delivery_attempt(delivery.pk)
    assert d.status == Status.PENDING and d.last_error == "errcode 93000"


@pytest.mark.parametrize("who", ["cadre", "secretary", "auditor", "villager"])
def test_only_superusers_see_or_retry_failed_deliveries(
    client, world, receiver, django_capture_on_commit_callbacks, who
):
    endpoint = _endpoint("http://127.0.0.1:9/x", format="json")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="e", title="甲村失败推送", status=Status.DEAD, attempts=5
    )
    client.force_login(getattr(world.a, who))
    assert client.get("/core/webhooks/failed/").status_code == 403
    assert client.post("/core/webhooks/failed/", {"delivery": delivery.pk}).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == Status.DEAD
    assert not AuditEvent.objects.filter(action=CoreAction.WEBHOOK_DELIVERY_RETRY).exists()


def test_an_endpoint_saved_in_the_admin_is_audited_without_its_url_or_secret(client, world):
    client.force_login(world.admin)
    response = client.post(
        "/admin/core/webhookendpoint/add/",
        {
            "name": "全镇工作群",
            "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-robot-key",
            "format": "wecom",
            "events": "",
            "active": "on",
            "secret": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = WebhookEndpoint.objects.get(name="全镇工作群")
    event = AuditEvent.objects.get(action=CoreAction.CONFIG_CREATE, object_id=str(endpoint.pk))
    assert event.changes["url"] == "***"
    assert "abc-robot-key" not in json.dumps(event.changes, ensure_ascii=False)
    client.force_login(world.a.cadre)  # is_staff, not a superuser
    assert client.get("/admin/core/webhookendpoint/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_workers_trying_one_delivery_at_once_post_it_once(receiver):
    """Real threads on the real database (SQLite or PostgreSQL): the claim decides one winner."""
    import threading

    from django.db import connections

    r = receiver()
    endpoint = _endpoint(r.url, format="json")
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="e", title="只发一次")
    start = threading.Barrier(4)
    outcomes: list[object] = []

    def worker() -> None:
        try:
            start.wait(10)
            outcomes.append(delivery_attempt(delivery.pk))
        except Exception as exc:  # noqa: BLE001 - a database lock error counts as "not sent"
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(r.requests) == 1
    assert sum(isinstance(o, WebhookDelivery) for o in outcomes) == 1
    assert outcomes.count(None) == 3, outcomes  # the others found it claimed, no error
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 1
