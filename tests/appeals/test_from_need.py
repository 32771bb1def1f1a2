"""A visit's open need becomes an appeal in one tap, once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xiangzhi.appeals.models import Appeal, Source
from xiangzhi.party.models import VisitNeed

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
