"""What a hostile review of appeals and visits found on 2026-12-03, each kept from coming back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from xiangzhi.accounts.services import api_token_create
from xiangzhi.appeals import services
from xiangzhi.appeals.models import State
from xiangzhi.appeals.selectors import appeal_list
from xiangzhi.appeals.services import menu
from xiangzhi.appeals.services.deadlines import appeal_deadline_sweep
from xiangzhi.core.models import AuditEvent, Notification
from xiangzhi.core.workdays import workday_deadline
from xiangzhi.party.models import Visit

pytestmark = pytest.mark.django_db


def test_a_cadre_merges_a_duplicate_on_the_appeal_page(world, client):
    a = world.a
    dup = services.appeal_submit(actor=a.worker, household=a.household, text="甲村路灯又坏了")
    client.force_login(a.cadre)
    page = client.get(f"/appeals/{dup.pk}/").content.decode()
    assert f'value="{a.appeal.pk}"' in page  # offered as a choice
    r = client.post(
        f"/appeals/{dup.pk}/merge/", {"merge-into": a.appeal.pk, "merge-note": "同一件事"}
    )
    assert r.status_code == 302, [str(m) for m in get_messages(r.wsgi_request)]
    dup.refresh_from_db()
    assert dup.state == State.MERGED and dup.duplicate_of_id == a.appeal.pk


def test_a_service_request_is_due_within_its_offerings_working_days(world):
    a = world.a
    offering = menu.service_offering_publish(
        actor=a.cadre, node=a.node, name="甲村接送就医", category="errand", days=1
    )
    appeal = menu.service_request_submit(actor=a.villager, offering=offering, text="明天去县医院")
    assert appeal.deadline == workday_deadline(appeal.created_at, 1)
    longer = menu.service_offering_publish(
        actor=a.cadre, node=a.node, name="甲村代办证件", category="errand", days=10
    )
    later = menu.service_request_submit(actor=a.villager, offering=longer, text="办社保卡")
    assert later.deadline == workday_deadline(later.created_at, 10) > appeal.deadline


def test_a_reopened_appeal_starts_on_time_and_is_reminded_again(world):
    a = world.a
    appeal = a.appeal
    services.appeal_accept(actor=a.cadre, appeal=appeal)
    services.appeal_reply(
        actor=a.cadre, appeal=appeal, note="已修好", at=appeal.deadline + dt.timedelta(days=1)
    )
    assert appeal.overdue
    services.appeal_rate(actor=a.villager, appeal=appeal, score=1, comment="没修好")
    services.appeal_reopen(actor=a.villager, appeal=appeal, note="灯还是不亮")
    appeal.refresh_from_db()
    assert appeal.deadline > timezone.now() and not appeal.overdue
    assert not appeal_list(actor=a.cadre, state="overdue").filter(pk=appeal.pk).exists()
    event = AuditEvent.objects.get(action="appeals.appeal_reopen", object_id=str(appeal.pk))
    assert event.changes["overdue_before"] is True
    appeal_deadline_sweep(now=appeal.deadline - dt.timedelta(hours=20))
    appeal.refresh_from_db()
    assert appeal.reminded_at is not None
    appeal_deadline_sweep(now=appeal.deadline + dt.timedelta(hours=1))
    appeal.refresh_from_db()
    assert appeal.overdue  # late again: marked again


def test_the_api_names_a_bad_field_in_chinese(world, client):
    a = world.a
    services.appeal_accept(actor=a.cadre, appeal=a.appeal)
    services.appeal_reply(actor=a.cadre, appeal=a.appeal, note="已修好")
    _, token = api_token_create(actor=a.villager, name="甲村村民令牌")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    r = client.post(
        f"/api/v1/appeals/{a.appeal.pk}/rate",
        data='{"score": "很好"}',
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 422 and "评分" in r.json()["detail"]
    assert "score" not in r.json()["detail"]
    r = client.post("/api/v1/appeals", data="{}", content_type="application/json", **auth)
    assert r.status_code == 422 and "诉求内容" in r.json()["detail"]
    # Another village's appeal is not found whatever the body: the body is read after access.
    r = client.post(
        f"/api/v1/appeals/{world.b.appeal.pk}/rate",
        data='{"score": "很好"}',
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 404


def test_a_household_is_visited_once_a_day_by_a_member(world, client):
    a = world.a
    today = timezone.localdate()
    assert Visit.objects.filter(household=a.household, visited_on=today).count() == 1  # the world's
    client.force_login(a.member_user)
    data = {"visited_on": today.isoformat(), "met": "户主本人", "learned": "一切正常"}
    r = client.post(f"/party/households/{a.household.pk}/visit/", data)
    assert r.status_code == 200 and "该户这一天已记录过走访" in r.content.decode()
    assert Visit.objects.filter(household=a.household, visited_on=today).count() == 1
    data["visited_on"] = (today - dt.timedelta(days=1)).isoformat()
    assert client.post(f"/party/households/{a.household.pk}/visit/", data).status_code == 302
    assert client.post(f"/party/households/{a.household.pk}/visit/", data).status_code == 200
    assert Visit.objects.filter(household=a.household).count() == 2


def test_pages_write_full_width_punctuation_and_dates_with_their_year(world, client):
    a = world.a
    client.force_login(a.villager)
    page = client.get("/appeals/new/").content.decode()
    assert "您有什么事？" in page and "您有什么事？：" not in page
    home = client.get("/appeals/").content.decode()
    assert f"{a.appeal.created_at.year}年" in home
    client.force_login(a.secretary)
    node = client.get(f"/grid/nodes/{a.grid.pk}/").content.decode()
    assert "网格长:" not in node and "网格员:" not in node
    assert "网格长：" in node or "网格员：" in node
    client.force_login(world.chief)
    page = client.get("/core/audit/checkpoint/").content.decode()
    assert "audit_checkpoint" not in page and "尚未签署审计检查点" in page


def test_a_departments_staff_handle_its_appeals_in_their_own_township_only(world, client):
    from tests.factories import UserFactory
    from xiangzhi.accounts.models import Department, RoleAssignment
    from xiangzhi.appeals.services.notices import department_ids
    from xiangzhi.core.roles import Role
    from xiangzhi.grid.services import node_create

    admin = world.admin
    civil = Department.objects.get(code="civil_affairs")
    town = node_create(actor=admin, parent=None, name="别镇", code="430521200000")
    village = node_create(actor=admin, parent=town, name="别村", code="430521200201")
    theirs = UserFactory(username="bie_minzheng", display_name="别镇民政专干")
    RoleAssignment.objects.create(
        user=theirs, role=Role.DEPARTMENT_STAFF, department=civil, node=town
    )
    appeal = services.appeal_submit(
        actor=admin, node=village, text="别村低保申请咨询", kind="inquiry", source="phone"
    )
    services.appeal_accept(actor=admin, appeal=appeal)
    services.appeal_dispatch(actor=admin, appeal=appeal, department=civil)
    ours = world.a.department_user  # 测试镇's 民政, bound in 甲村
    assert ours.pk not in department_ids(appeal) and theirs.pk in department_ids(appeal)
    client.force_login(ours)
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 404
    r = client.post(f"/appeals/{appeal.pk}/reply/", {"reply-note": "别镇的诉求被测试镇民政答复"})
    assert r.status_code == 404
    appeal.refresh_from_db()
    assert appeal.state != State.REPLIED
    assert f"/appeals/{appeal.pk}/" not in client.get("/appeals/").content.decode()
    # Their own township's 民政 handles it.
    client.force_login(theirs)
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 200
    client.post(f"/appeals/{appeal.pk}/reply/", {"reply-note": "已告知办理流程"})
    appeal.refresh_from_db()
    assert appeal.state == State.REPLIED


def test_a_requester_whose_appeal_was_merged_is_told_how_far_the_other_has_got(world, client):
    a = world.a
    patrol = services.appeal_submit(
        actor=a.worker, node=a.grid, text="甲村路灯坏了（巡查）", kind="report", source="patrol"
    )
    services.appeal_merge(actor=a.cadre, appeal=a.appeal, into=patrol, note="同一盏灯")
    link = f'href="/appeals/{patrol.pk}/"'
    client.force_login(a.villager)
    assert client.get(f"/appeals/{patrol.pk}/").status_code == 404
    page = client.get(f"/appeals/{a.appeal.pk}/").content.decode()
    assert link not in page and patrol.number in page
    assert f"{patrol.number}（{patrol.get_state_display()}）" in page
    client.force_login(a.cadre)
    assert link in client.get(f"/appeals/{a.appeal.pk}/").content.decode()


def test_a_browser_set_to_english_still_gets_every_word_in_chinese(world, client):
    client.force_login(world.a.villager)
    r = client.post("/appeals/new/", {"text": ""}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = r.content.decode()
    assert "This field is required" not in page and "必填" in page
    page = client.get("/accounts/me/password/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Old password" not in page and "Your password" not in page


def test_a_reopened_service_request_is_due_within_its_offerings_days_again(world):
    a = world.a
    offering = menu.service_offering_publish(
        actor=a.cadre, node=a.node, name="甲村代办医保", category="errand", days=15
    )
    appeal = menu.service_request_submit(actor=a.villager, offering=offering, text="代办医保")
    services.appeal_accept(actor=a.cadre, appeal=appeal)
    services.appeal_reply(actor=a.cadre, appeal=appeal, note="已办")
    services.appeal_rate(actor=a.villager, appeal=appeal, score=1, comment="没办好")
    at = timezone.now()
    services.appeal_reopen(actor=a.villager, appeal=appeal, note="再办一次", at=at)
    appeal.refresh_from_db()
    assert appeal.deadline == workday_deadline(at, 15)


def test_an_appeal_sent_to_a_department_with_no_staff_there_is_told_to_its_handlers(
    world, django_capture_on_commit_callbacks
):
    from xiangzhi.accounts.models import Department
    from xiangzhi.appeals.services.notices import department_ids, handler_ids

    a = world.a
    empty = Department.objects.exclude(code="civil_affairs").first()
    services.appeal_accept(actor=a.cadre, appeal=a.appeal)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_dispatch(actor=world.chief, appeal=a.appeal, department=empty)
    assert department_ids(a.appeal) == []
    told = set(
        Notification.objects.filter(link__contains=f"/appeals/{a.appeal.pk}/").values_list(
            "recipient_id", flat=True
        )
    )
    assert set(handler_ids(a.appeal)) <= told and told
