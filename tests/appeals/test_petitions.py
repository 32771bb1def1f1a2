"""Petitions keep the limits of 信访工作条例: decide in 15 days, finish in 60, extend once by 30."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiangzhi.accounts.models import Department
from xiangzhi.appeals.models import Petition
from xiangzhi.appeals.services.petitions import (
    petition_accept,
    petition_extend,
    petition_finish,
    petition_refuse,
    petition_register,
)
from xiangzhi.core.models import AuditEvent
from xiangzhi.core.workdays import add_workdays

TODAY = timezone.localdate


def _register(world, days_ago=3, **extra):
    v = world.a
    return petition_register(
        actor=v.cadre,
        node=v.grid,
        petitioner=v.head.name,
        resident=v.head,
        channel="visit",
        subject="甲村征地补偿",
        content="甲村修路征地补偿款一直未发",
        department=Department.objects.get(code="petitions"),
        received_on=TODAY() - dt.timedelta(days=days_ago),
        **extra,
    )


def test_registering_sets_the_decision_limit_fifteen_days_after_receipt(world):
    p = _register(world, days_ago=3)
    assert p.decide_by == add_workdays(p.received_on + dt.timedelta(days=15), 0)
    assert p.days_left(TODAY()) == (p.decide_by - TODAY()).days >= 12
    assert AuditEvent.objects.filter(action="appeals.petition_register", object_id=p.pk).exists()


@pytest.mark.parametrize(
    ("received_on", "decide_by"),
    [
        ("2026-09-16", "2026-10-08"),  # the 15th day is National Day: the day after the holiday
        ("2026-10-30", "2026-11-16"),  # a Saturday: the Monday after
        ("2026-09-25", "2026-10-10"),  # a Saturday worked to make up the holiday: kept
        ("2026-11-02", "2026-11-17"),  # a working day: kept
    ],
)
def test_a_limit_whose_last_day_is_a_rest_day_ends_on_the_next_working_day(
    world, received_on, decide_by
):
    p = _register(world, days_ago=(TODAY() - dt.date.fromisoformat(received_on)).days)
    assert p.decide_by == dt.date.fromisoformat(decide_by)
    p = petition_accept(
        actor=world.a.cadre,
        petition=p,
        decided_on=dt.date.fromisoformat(received_on) + dt.timedelta(days=1),
        note="逾期原因：材料补齐后受理",
    )
    assert p.finish_by.weekday() < 5 or p.finish_by == dt.date(2026, 10, 10)
    assert p.finish_by - p.decided_on >= dt.timedelta(days=60)


def test_accepting_sets_the_finish_limit_sixty_days_after_acceptance(world):
    p = _register(world)
    p = petition_accept(actor=world.a.cadre, petition=p, decided_on=TODAY())
    assert p.state == Petition.State.ACCEPTED
    assert p.finish_by == add_workdays(TODAY() + dt.timedelta(days=60), 0)


def test_a_decision_past_fifteen_days_needs_the_reason_for_the_delay(world):
    p = _register(world, days_ago=20)
    with pytest.raises(ValidationError) as err:
        petition_accept(actor=world.a.cadre, petition=p, decided_on=TODAY())
    assert "note" in err.value.message_dict
    p.refresh_from_db()
    assert p.state == Petition.State.RECEIVED
    late = petition_accept(
        actor=world.a.cadre, petition=p, decided_on=TODAY(), note="材料不全，等信访人补齐了材料"
    )
    assert late.state == Petition.State.ACCEPTED


def test_a_petition_is_extended_once_and_by_thirty_days_at_most(world):
    p = _register(world)
    p = petition_accept(actor=world.a.cadre, petition=p, decided_on=TODAY())
    with pytest.raises(ValidationError) as err:
        petition_extend(actor=world.a.cadre, petition=p, days=31, reason="需要实地测量")
    assert "days" in err.value.message_dict
    p = petition_extend(actor=world.a.cadre, petition=p, days=30, reason="需要实地测量")
    assert p.finish_by == add_workdays(TODAY() + dt.timedelta(days=90), 0)
    with pytest.raises(ValidationError, match="只能延期一次"):
        petition_extend(actor=world.a.cadre, petition=p, days=5, reason="还要再等等")
    p.refresh_from_db()
    assert p.extended_days == 30


def test_finishing_records_the_result(world):
    p = _register(world)
    p = petition_accept(actor=world.a.cadre, petition=p, decided_on=TODAY())
    p = petition_finish(actor=world.a.cadre, petition=p, finished_on=TODAY(), result="已兑付补偿")
    assert p.state == Petition.State.FINISHED
    assert p.days_left(TODAY()) is None


def test_refusing_needs_a_reason(world):
    p = _register(world)
    with pytest.raises(ValidationError):
        petition_refuse(actor=world.a.cadre, petition=p, decided_on=TODAY(), note="")
    p = petition_refuse(
        actor=world.a.cadre, petition=p, decided_on=TODAY(), note="已通过诉讼途径解决"
    )
    assert p.state == Petition.State.REFUSED


def test_another_village_may_not_touch_a_petition_and_nothing_changes(world):
    p = _register(world)
    with pytest.raises(PermissionDenied):
        petition_accept(actor=world.b.cadre, petition=p, decided_on=TODAY())
    with pytest.raises(PermissionDenied):
        _register_for_other = petition_register(  # noqa: F841
            actor=world.b.cadre,
            node=world.a.grid,
            petitioner="乙某",
            channel="letter",
            subject="乙村事项",
            content="内容",
            department=Department.objects.get(code="petitions"),
            received_on=TODAY(),
        )
    p.refresh_from_db()
    assert p.state == Petition.State.RECEIVED
    assert not Petition.objects.filter(node=world.a.grid, subject="乙村事项").exists()


def test_read_only_roles_of_the_village_may_not_decide(world):
    p = _register(world)
    for user in (world.a.auditor, world.a.group_leader, world.a.villager, world.a.member_user):
        with pytest.raises(PermissionDenied):
            petition_accept(actor=user, petition=p, decided_on=TODAY())
    p.refresh_from_db()
    assert p.state == Petition.State.RECEIVED
