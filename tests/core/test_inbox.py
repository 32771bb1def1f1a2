"""The in-app inbox (站内消息): notify() after commit, a user's own messages only, read marks,
the header's badge and a page whose queries do not grow with its rows."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiangzhi.core.actions import CoreAction
from xiangzhi.core.models import AuditEvent, Notification
from xiangzhi.core.notify import notify

pytestmark = pytest.mark.django_db


def test_notify_writes_one_row_per_recipient_when_the_transaction_commits(
    world, django_capture_on_commit_callbacks
):
    a = world.a
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[a.cadre, a.secretary, a.cadre.pk],
            title="甲村有新的积分申报",
            body="请在公示前审核。",
            link="/people/",
            event="points.claim_submit",
        )
        assert Notification.objects.count() == before  # nothing before the commit
    rows = Notification.objects.filter(event="points.claim_submit")
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(
        [a.cadre.pk, a.secretary.pk]
    )
    assert {r.read_at for r in rows} == {None}


def test_a_rolled_back_write_notifies_nobody(world, django_capture_on_commit_callbacks):
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(recipients=[world.a.cadre], title="不会送达")
                raise RuntimeError("the service failed")
        except RuntimeError:
            pass
    assert Notification.objects.count() == before


def test_a_link_must_stay_inside_the_site(world):
    for bad in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            notify(recipients=[world.a.cadre], title="x", link=bad)


def test_the_inbox_shows_the_users_own_messages_unread_first(client, world):
    a, b = world.a, world.b
    old = Notification.objects.create(recipient=a.worker, title="旧消息已读")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    Notification.objects.create(recipient=a.worker, title="新消息未读")
    client.force_login(a.worker)
    body = client.get("/inbox/").content.decode()
    assert body.index("新消息未读") < body.index("旧消息已读")
    for others in ("甲村待办消息", "乙村待办消息"):  # the cadres' messages (tests/conftest.py)
        assert others not in body
    assert b.cadre.username not in body


def test_an_empty_inbox_says_so(client, world):
    client.force_login(world.a.villager)
    assert "暂时没有消息" in client.get("/inbox/").content.decode()


def test_a_superuser_sees_only_their_own_messages_too(client, world):
    client.force_login(world.admin)
    body = client.get("/inbox/").content.decode()
    assert "甲村待办消息" not in body and "暂时没有消息" in body


def test_opening_a_message_marks_it_read_and_goes_to_its_link(client, world):
    a = world.a
    n = Notification.objects.create(recipient=a.cadre, title="去看看", link="/people/")
    client.force_login(a.cadre)
    response = client.post(reverse("inbox:read", args=[n.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert AuditEvent.objects.filter(
        action=CoreAction.NOTIFICATION_READ, object_id=str(n.pk), actor=a.cadre
    ).exists()


@pytest.mark.parametrize("who", ["a_other_village", "a_same_village", "superuser"])
def test_nobody_reads_or_marks_another_users_message(client, world, who):
    target = Notification.objects.get(recipient=world.a.cadre)
    user = {
        "a_other_village": world.b.cadre,
        "a_same_village": world.a.secretary,
        "superuser": world.admin,
    }[who]
    client.force_login(user)
    assert client.post(reverse("inbox:read", args=[target.pk]), {"open": "1"}).status_code == 404
    client.post(reverse("inbox:read_all"))
    target.refresh_from_db()
    assert target.read_at is None
    assert not AuditEvent.objects.filter(
        action=CoreAction.NOTIFICATION_READ, object_id=str(target.pk)
    ).exists()


def test_mark_all_read_reads_the_users_own_and_leaves_others(client, world):
    a = world.a
    for i in range(3):
        Notification.objects.create(recipient=a.worker, title=f"消息{i}")
    client.force_login(a.worker)
    assert client.post(reverse("inbox:read_all")).status_code == 302
    assert not Notification.objects.filter(recipient=a.worker, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=a.cadre, read_at__isnull=True).exists()
    event = AuditEvent.objects.get(action=CoreAction.NOTIFICATION_READ_ALL, actor=a.worker)
    assert event.changes == {"count": 3}


def test_marking_needs_a_post(client, world):
    n = Notification.objects.get(recipient=world.a.cadre)
    client.force_login(world.a.cadre)
    assert client.get(reverse("inbox:read", args=[n.pk])).status_code == 405
    assert client.get(reverse("inbox:read_all")).status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_the_header_shows_the_unread_count(client, world):
    a = world.a
    client.force_login(a.cadre)
    body = client.get("/").content.decode()
    assert 'aria-label="1 条未读"' in body
    Notification.objects.filter(recipient=a.cadre).update(read_at="2026-01-01T00:00:00Z")
    body = client.get("/").content.decode()
    assert "条未读" not in body and 'href="/inbox/"' in body


def test_the_badge_stops_counting_at_99_plus(client, world):
    user = world.a.worker
    Notification.objects.bulk_create(
        [Notification(recipient=user, title=f"第{i}条") for i in range(99)]
    )
    client.force_login(user)
    assert 'aria-label="99 条未读">99<' in client.get("/").content.decode()
    Notification.objects.create(recipient=user, title="第100条")
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/").content.decode()
    assert ">99+<" in body
    badge = [q["sql"] for q in ctx.captured_queries if "core_notification" in q["sql"]]
    assert len(badge) == 1 and "COUNT(" not in badge[0].upper() and "LIMIT 100" in badge[0]


def test_the_login_page_asks_nothing_of_the_inbox(client, db):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/login/").status_code == 200
    assert not [q for q in ctx.captured_queries if "core_notification" in q["sql"]]


def _inbox_queries(client, user) -> int:
    client.get("/inbox/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/inbox/?page=2").status_code == 200
    return len(ctx.captured_queries)


def test_the_inbox_page_costs_the_same_with_many_more_messages(client, world):
    user = world.a.worker
    client.force_login(user)
    Notification.objects.bulk_create(
        [Notification(recipient=user, title=f"第{i}条") for i in range(45)]
    )
    few = _inbox_queries(client, user)
    Notification.objects.bulk_create(
        [Notification(recipient=user, title=f"又一条{i}") for i in range(300)]
    )
    many = _inbox_queries(client, user)
    assert many == few
