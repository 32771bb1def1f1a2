"""屋场恳谈会: attendees from the registry or typed, opinions followed to an outcome, the open
opinions per village, and the hook a higher app (appeals) takes an opinion over by."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xiangzhi.party.models import HamletTalk, TalkOpinion
from xiangzhi.party.selectors import open_opinions
from xiangzhi.party.services import (
    hamlet_talk_record,
    opinion_resolve,
    opinion_take,
)

pytestmark = pytest.mark.django_db


def test_typed_names_of_residents_are_tied_to_the_registry(world):
    a = world.a
    talk = HamletTalk.objects.get(topics="甲村修路议题")
    by_name = {t.name: t.resident_id for t in talk.attendees.all()}
    assert by_name == {a.other_head.name: a.other_head.pk, "甲村来客": None}


def test_each_outcome_is_checked_and_no_action_needs_a_reason(world):
    a = world.a
    opinion = TalkOpinion.objects.get(content="甲村路灯不亮")
    with pytest.raises(ValidationError) as err:
        opinion_resolve(actor=a.cadre, opinion=opinion, outcome="no_action", note="")
    assert "note" in err.value.message_dict
    opinion.refresh_from_db()
    assert opinion.status == "open"
    opinion_resolve(actor=a.cadre, opinion=opinion, outcome="no_action", note="已列入明年计划")
    opinion.refresh_from_db()
    assert (opinion.status, opinion.outcome) == ("closed", "no_action")
    with pytest.raises(ValidationError):  # once only
        opinion_resolve(actor=a.cadre, opinion=opinion, outcome="answered", note="再答")


def test_a_need_waits_to_be_taken_over_then_closes(world):
    a = world.a
    opinion = TalkOpinion.objects.get(content="甲村路灯不亮")
    opinion_resolve(actor=a.cadre, opinion=opinion, outcome="need")
    assert opinion in open_opinions(actor=a.cadre)
    opinion_take(actor=a.cadre, opinion=opinion, by="appeal:17")
    opinion.refresh_from_db()
    assert (opinion.status, opinion.taken_by) == ("closed", "appeal:17")
    assert opinion not in open_opinions(actor=a.cadre)
    with pytest.raises(ValidationError):
        opinion_take(actor=a.cadre, opinion=opinion, by="appeal:18")


def test_open_opinions_are_listed_per_village_in_scope(client, world):
    client.force_login(world.chief)
    body = client.get(reverse("party:opinion_open_list")).content.decode()
    assert "甲村路灯不亮" in body and "乙村路灯不亮" in body and "甲村" in body
    client.force_login(world.b.cadre)
    body = client.get(reverse("party:opinion_open_list")).content.decode()
    assert "乙村路灯不亮" in body and "甲村路灯不亮" not in body


def test_read_only_users_and_neighbours_cannot_record_or_resolve(world):
    a = world.a
    opinion = TalkOpinion.objects.get(content="甲村路灯不亮")
    for user in (a.auditor, a.group_leader, a.member_user, world.b.cadre):
        with pytest.raises(PermissionDenied):
            opinion_resolve(actor=user, opinion=opinion, outcome="answered", note="越权")
        with pytest.raises(PermissionDenied):
            hamlet_talk_record(actor=user, node=a.group, held_on=dt.date(2025, 1, 1), topics="越权")
    opinion.refresh_from_db()
    assert opinion.status == "open"
    assert HamletTalk.objects.filter(topics="越权").count() == 0


def test_a_cadre_records_a_talk_and_an_opinion_through_the_pages(client, world):
    a = world.a
    client.force_login(a.cadre)
    r = client.post(
        reverse("party:talk_create"),
        {
            "node": a.group.pk,
            "held_on": "2025-05-01",
            "topics": "甲村垃圾分类",
            "other_attendees": "",
        },
    )
    assert r.status_code == 302
    talk = HamletTalk.objects.get(topics="甲村垃圾分类")
    r = client.post(reverse("party:talk_detail", args=[talk.pk]), {"content": "甲村要多放垃圾桶"})
    assert r.status_code == 302
    opinion = TalkOpinion.objects.get(content="甲村要多放垃圾桶")
    r = client.post(
        reverse("party:opinion_resolve", args=[opinion.pk]),
        {"outcome": "answered", "note": "下周增加两个"},
    )
    assert r.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == "closed"


def test_a_village_matter_is_taken_over_on_the_talk_page(client, world):
    a = world.a
    opinion = TalkOpinion.objects.get(content="甲村路灯不亮")
    talk_url = reverse("party:talk_detail", args=[opinion.talk_id])
    take_url = reverse("party:opinion_take", args=[opinion.pk])
    client.force_login(a.cadre)
    assert take_url not in client.get(talk_url).content.decode()  # not handed on yet
    opinion_resolve(actor=a.cadre, opinion=opinion, outcome="village_matter")
    assert take_url in client.get(talk_url).content.decode()
    # A read-only auditor of the village cannot, nor a cadre of the next village.
    client.force_login(a.auditor)
    assert client.post(take_url, {"by": "审计员"}).status_code == 403
    client.force_login(world.b.cadre)
    assert client.post(take_url, {"by": "乙村"}).status_code == 404
    client.force_login(a.cadre)
    refused = client.post(take_url, {"by": ""})
    assert refused.status_code == 200 and "这个字段是必填项" in refused.content.decode()
    done = client.post(take_url, {"by": "村民代表会议12月议题"})
    assert done.status_code == 302
    opinion.refresh_from_db()
    assert (opinion.status, opinion.taken_by) == ("closed", "村民代表会议12月议题")
    assert opinion not in open_opinions(actor=a.cadre)
    assert take_url not in client.get(talk_url).content.decode()
