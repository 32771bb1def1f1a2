"""Disputes: registered with their parties, mediated in sessions, settled, followed up."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiangzhi.appeals.models import Dispute
from xiangzhi.appeals.services.disputes import (
    dispute_fail,
    dispute_follow_up,
    dispute_register,
    dispute_session_record,
    dispute_settle,
)
from xiangzhi.core.models import AuditEvent


def _register(world, actor=None):
    v = world.a
    return dispute_register(
        actor=actor or v.cadre,
        node=v.grid,
        title="甲村排水沟纠纷",
        category="neighbour",
        description="两家为排水沟走向争执",
        parties=[(v.head.name, v.head, "沟不能改"), (v.other_head.name, v.other_head, "水淹了田")],
        registered_on=timezone.localdate() - dt.timedelta(days=5),
    )


def test_a_dispute_goes_from_mediation_to_agreement_to_follow_up(world):
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    d = _register(world)
    assert [p.name for p in d.parties.all()] == [world.a.head.name, world.a.other_head.name]
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="请先记录至少一次调解"):
        dispute_settle(actor=world.a.cadre, dispute=d, agreement="各让一步", agreed_on=today)
    dispute_session_record(
        actor=world.a.cadre, dispute=d, held_on=today, mediators="甲村调解委员", notes="双方到场"
    )
    d = dispute_settle(actor=world.a.cadre, dispute=d, agreement="沟改到田边", agreed_on=today)
    assert d.state == Dispute.State.SETTLED
    d = dispute_follow_up(
        actor=world.a.cadre, dispute=d, follow_up="双方履行协议", followed_up_on=today
    )
    assert d.state == Dispute.State.CLOSED
    actions = list(
        AuditEvent.objects.filter(action__startswith="appeals.dispute", pk__gt=before)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "appeals.dispute_register",
        "appeals.dispute_session_record",
        "appeals.dispute_settle",
        "appeals.dispute_follow_up",
    ]


def test_a_dispute_needs_two_parties(world):
    with pytest.raises(ValidationError) as err:
        dispute_register(
            actor=world.a.cadre,
            node=world.a.grid,
            title="甲村纠纷",
            category="neighbour",
            description="经过",
            parties=[("甲某", None, "")],
        )
    assert "parties" in err.value.message_dict
    assert not Dispute.objects.filter(title="甲村纠纷").exists()


def test_a_failed_mediation_is_recorded_with_its_reason(world):
    d = _register(world)
    today = timezone.localdate()
    dispute_session_record(
        actor=world.a.cadre, dispute=d, held_on=today, mediators="甲村调解委员", notes="各执一词"
    )
    d = dispute_fail(actor=world.a.cadre, dispute=d, reason="一方不同意，引导诉讼", on=today)
    assert d.state == Dispute.State.FAILED
    with pytest.raises(ValidationError):
        dispute_session_record(
            actor=world.a.cadre, dispute=d, held_on=today, mediators="甲村", notes="再调"
        )


def test_another_village_and_read_only_roles_may_not_mediate(world):
    d = _register(world)
    today = timezone.localdate()
    for user in (world.b.cadre, world.a.auditor, world.a.villager, world.a.group_leader):
        with pytest.raises(PermissionDenied):
            dispute_session_record(
                actor=user, dispute=d, held_on=today, mediators="某人", notes="记录"
            )
    assert not d.sessions.exists()
    with pytest.raises(PermissionDenied):
        _register(world, actor=world.b.cadre)
    assert Dispute.objects.filter(title="甲村排水沟纠纷").count() == 1
