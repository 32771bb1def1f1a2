"""Rating and follow-up: the requester rates on the phone, staff record a follow-up call's
rating, the township supervises, and satisfaction is read per node, department and person."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from xiangzhi.accounts.models import Department
from xiangzhi.appeals import services
from xiangzhi.appeals.models import Appeal, AppealRating, State
from xiangzhi.appeals.selectors import satisfaction
from xiangzhi.core.models import Notification

pytestmark = pytest.mark.django_db


def _replied(world, appeal=None, *, by=None):
    a = world.a
    appeal = appeal or a.appeal
    services.appeal_accept(actor=a.worker, appeal=appeal)
    services.appeal_assign(actor=a.worker, appeal=appeal, assignee=by or a.worker)
    services.appeal_reply(actor=by or a.worker, appeal=appeal, note="已经处理好了")
    return appeal


def test_the_requester_rates_the_reply_on_their_phone_in_one_form(client, world):
    a = world.a
    _replied(world)
    client.force_login(a.villager)
    page = client.get(reverse("appeals:detail", args=[a.appeal.pk])).content.decode()
    assert 'name="rate-score"' in page and "已经处理好了" in page
    r = client.post(
        reverse("appeals:rate", args=[a.appeal.pk]),
        {"rate-score": "4", "rate-comment": "谢谢网格员"},
    )
    assert r.status_code == 302
    rating = AppealRating.objects.get(appeal=a.appeal)
    assert (rating.score, rating.via, rating.handler) == (4, "requester", a.worker)
    assert Appeal.objects.get(pk=a.appeal.pk).state == State.RATED


def test_staff_record_the_rating_of_a_follow_up_call_and_the_requester_cannot_rate_for_staff(
    world,
):
    a = world.a
    _replied(world)
    with pytest.raises(PermissionDenied):
        services.appeal_follow_up(actor=a.villager, appeal=a.appeal, score=5)
    services.appeal_follow_up(actor=a.cadre, appeal=a.appeal, score=3, comment="电话回访")
    rating = AppealRating.objects.get(appeal=a.appeal)
    assert (rating.via, rating.rated_by) == ("follow_up", a.cadre)


def test_a_score_outside_one_to_five_is_refused_naming_the_field(world):
    from django.core.exceptions import ValidationError

    _replied(world)
    with pytest.raises(ValidationError) as exc:
        services.appeal_rate(actor=world.a.villager, appeal=world.a.appeal, score=6)
    assert "score" in exc.value.message_dict
    assert not AppealRating.objects.filter(appeal=world.a.appeal).exists()


def test_an_unsatisfied_rating_tells_whoever_handled_it(world, django_capture_on_commit_callbacks):
    a = world.a
    _replied(world, by=a.sibling_worker)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_rate(actor=a.villager, appeal=a.appeal, score=1, comment="没解决")
    assert Notification.objects.filter(
        recipient=a.sibling_worker, event="appeal.unsatisfied"
    ).exists()


def test_the_township_supervises_and_the_assignee_sees_the_note(client, world):
    a = world.a
    services.appeal_accept(actor=a.worker, appeal=a.appeal)
    services.appeal_assign(actor=a.worker, appeal=a.appeal, assignee=a.sibling_worker)
    with pytest.raises(PermissionDenied):
        services.appeal_supervise(actor=a.cadre, appeal=a.appeal, note="村里不能督办")
    services.appeal_supervise(actor=world.chief, appeal=a.appeal, note="三日内办结")
    client.force_login(a.sibling_worker)
    page = client.get(reverse("appeals:detail", args=[a.appeal.pk])).content.decode()
    assert "镇督办" in page and "三日内办结" in page


def test_satisfaction_is_read_per_node_department_and_person(world):
    a = world.a
    _replied(world, by=a.sibling_worker)
    services.appeal_rate(actor=a.villager, appeal=a.appeal, score=2)
    other = services.appeal_submit(actor=a.worker, household=a.household, text="低保咨询")
    services.appeal_accept(actor=a.worker, appeal=other)
    civil = Department.objects.get(code="civil_affairs")
    services.appeal_dispatch(actor=a.cadre, appeal=other, department=civil)
    services.appeal_reply(actor=a.department_user, appeal=other, note="已答复政策")
    services.appeal_follow_up(actor=a.worker, appeal=other, score=5)
    seen = satisfaction(actor=world.chief)
    # Each village's rated appeal of the fixture (5 by the party member) and these two.
    assert (seen["total"].count, seen["total"].extra) == (4, 3)
    assert [(r.label, r.count, r.extra) for r in seen["by_node"]] == [
        ("甲村", 3, 2),
        ("乙村", 1, 1),
    ]
    assert [(r.label, r.count, r.rate) for r in seen["by_department"]] == [("民政", 1, 100)]
    people = {r.label: (r.count, r.average) for r in seen["by_person"]}
    assert people["甲村二号网格员"] == (2, 3.5) and people["甲村民政专干"] == (1, 5.0)
    assert satisfaction(actor=world.b.cadre)["total"].count == 1  # village b's own


def _page_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_satisfaction_page_costs_the_same_queries_for_few_and_many_ratings(client, world):
    a = world.a
    client.force_login(world.chief)
    url = reverse("appeals:satisfaction")
    _page_queries(client, url)
    few = _page_queries(client, url)
    for i in range(6):
        appeal = services.appeal_submit(actor=a.worker, household=a.household, text=f"甲村{i}")
        _replied(world, appeal, by=a.sibling_worker if i % 2 else a.worker)
        services.appeal_follow_up(actor=a.cadre, appeal=appeal, score=1 + i % 5)
    assert _page_queries(client, url) == few


def test_a_handler_does_not_record_the_follow_up_of_their_own_work(client, world):
    from django.core.exceptions import ValidationError

    a = world.a
    _replied(world)  # assigned to and answered by the worker
    client.force_login(a.worker)
    page = client.get(reverse("appeals:detail", args=[a.appeal.pk])).content.decode()
    assert 'name="follow_up-score"' not in page
    with pytest.raises(ValidationError) as exc:
        services.appeal_follow_up(actor=a.worker, appeal=a.appeal, score=5)
    assert "办理人以外" in str(exc.value)
    assert not AppealRating.objects.filter(appeal=a.appeal).exists()
    # Answered without an assignee: the one who replied is the handler.
    other = services.appeal_submit(actor=a.worker, household=a.household, text="路灯不亮")
    services.appeal_accept(actor=a.cadre, appeal=other)
    services.appeal_reply(actor=a.cadre, appeal=other, note="已修好")
    with pytest.raises(ValidationError):
        services.appeal_follow_up(actor=a.cadre, appeal=other, score=5)
    services.appeal_follow_up(actor=a.worker, appeal=other, score=4)
    client.force_login(a.cadre)
    page = client.get(reverse("appeals:detail", args=[a.appeal.pk])).content.decode()
    assert 'name="follow_up-score"' in page  # another cadre of the village may


def test_a_cadre_who_replied_to_an_appeal_assigned_to_another_does_not_record_its_follow_up(
    world,
):
    """The handler was only the assignee: a cadre who wrote the reply himself rated it 5."""
    from django.core.exceptions import ValidationError

    a = world.a
    services.appeal_accept(actor=a.cadre, appeal=a.appeal)
    services.appeal_assign(actor=a.cadre, appeal=a.appeal, assignee=a.worker)
    services.appeal_reply(actor=a.cadre, appeal=a.appeal, note="我来答复")
    with pytest.raises(ValidationError, match="办理人以外"):
        services.appeal_follow_up(actor=a.cadre, appeal=a.appeal, score=5)
    services.appeal_follow_up(actor=world.chief, appeal=a.appeal, score=4)
    assert AppealRating.objects.get(appeal=a.appeal).handler == a.worker
