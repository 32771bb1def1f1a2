"""A visit's open need, or a hamlet talk's opinion handed on as a need, becomes an appeal in one
tap, once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xiangzhi.appeals.models import Appeal, Source
from xiangzhi.party.models import TalkOpinion, VisitNeed
from xiangzhi.party.services import opinion_resolve

pytestmark = pytest.mark.django_db


def _need(world) -> VisitNeed:
    return VisitNeed.objects.get(text="甲村修路诉求")


def test_a_grid_worker_turns_a_visit_need_into_an_appeal_in_one_tap(client, world):
    need = _need(world)
    client.force_login(world.a.cadre)
    assert "转为诉求" in client.get("/").content.decode()
    r = client.post(reverse("appeals:from_need", args=[need.pk]))
    appeal = Appeal.objects.get(source=Source.VISIT_NEED)
    assert r.status_code == 302 and r["Location"] == reverse("appeals:detail", args=[appeal.pk])
    assert (appeal.household, appeal.text) == (need.household, "甲村修路诉求")
    need.refresh_from_db()
    assert need.status == VisitNeed.Status.TAKEN and appeal.number in need.taken_by
    client.post(reverse("appeals:from_need", args=[need.pk]))  # a second tap
    assert Appeal.objects.filter(source=Source.VISIT_NEED).count() == 1


@pytest.mark.parametrize("who", ["auditor", "group_leader"])
def test_read_only_users_cannot_turn_a_need_into_an_appeal(client, world, who):
    need = _need(world)
    client.force_login(getattr(world.a, who))
    assert client.post(reverse("appeals:from_need", args=[need.pk])).status_code == 403
    need.refresh_from_db()
    assert need.status == VisitNeed.Status.OPEN
    assert not Appeal.objects.filter(source=Source.VISIT_NEED).exists()


def test_another_villages_need_is_not_found(client, world):
    client.force_login(world.b.cadre)
    assert client.post(reverse("appeals:from_need", args=[_need(world).pk])).status_code == 404


def _opinion(world, outcome: str) -> TalkOpinion:
    opinion = TalkOpinion.objects.get(content="甲村路灯不亮")
    opinion_resolve(actor=world.a.cadre, opinion=opinion, outcome=outcome)
    return opinion


def test_a_talks_opinion_handed_on_as_a_need_becomes_an_appeal_in_one_tap(client, world):
    opinion = _opinion(world, "need")
    client.force_login(world.a.cadre)
    desk = client.get("/").content.decode()
    assert "屋场恳谈会上待转为诉求的意见" in desk and "甲村来客：甲村路灯不亮" in desk
    url = reverse("appeals:from_opinion", args=[opinion.pk])
    r = client.post(url)
    appeal = Appeal.objects.get(source=Source.HAMLET_TALK)
    assert r.status_code == 302 and r["Location"] == reverse("appeals:detail", args=[appeal.pk])
    assert (appeal.node, appeal.text) == (opinion.talk.node, "甲村来客：甲村路灯不亮")
    opinion.refresh_from_db()
    assert opinion.status == TalkOpinion.Status.CLOSED and appeal.number in opinion.taken_by
    client.post(url)  # a second tap
    assert Appeal.objects.filter(source=Source.HAMLET_TALK).count() == 1
    assert "屋场恳谈会上待转为诉求的意见" not in client.get("/").content.decode()


def test_a_village_matter_or_a_neighbours_opinion_does_not_become_an_appeal(client, world):
    opinion = _opinion(world, "village_matter")
    client.force_login(world.a.cadre)
    assert "屋场恳谈会上待转为诉求的意见" not in client.get("/").content.decode()
    client.post(reverse("appeals:from_opinion", args=[opinion.pk]))
    assert not Appeal.objects.filter(source=Source.HAMLET_TALK).exists()
    client.force_login(world.b.cadre)
    assert client.post(reverse("appeals:from_opinion", args=[opinion.pk])).status_code == 404
    client.force_login(world.a.auditor)
    assert client.post(reverse("appeals:from_opinion", args=[opinion.pk])).status_code == 403
