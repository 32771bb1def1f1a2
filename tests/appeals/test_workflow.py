"""The workflow is data: every transition of workflow.TRANSITIONS is walked from every state by
every kind of actor, and the services take exactly the steps the table allows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiangzhi.accounts.models import Department
from xiangzhi.appeals import services
from xiangzhi.appeals.models import Appeal, AppealEvent, AppealRating, State
from xiangzhi.appeals.workflow import TRANSITIONS, Party, handlers_of
from xiangzhi.core import figures

pytestmark = pytest.mark.django_db


def _actors(world):
    """Each actor with the parties the test expects them to play on village a's appeal (the
    appeal is assigned to the sibling grid's worker, who otherwise has no part in it)."""
    a = world.a
    return {
        "villager": (a.villager, {Party.REQUESTER}),
        "grid worker": (a.worker, {Party.HANDLER}),
        "assignee": (a.sibling_worker, {Party.ASSIGNEE}),
        "chief": (world.chief, {Party.HANDLER, Party.TOWNSHIP}),
        "auditor": (a.auditor, set()),
        "other village's cadre": (world.b.cadre, set()),
        "deadline task": (None, {Party.SYSTEM}),
    }


def _calls(world, duplicate):
    a = world.a
    department = Department.objects.get(code="civil_affairs")
    return {
        "accept": lambda actor, ap: services.appeal_accept(actor=actor, appeal=ap),
        "assign": lambda actor, ap: services.appeal_assign(
            actor=actor, appeal=ap, assignee=a.worker
        ),
        "dispatch": lambda actor, ap: services.appeal_dispatch(
            actor=actor, appeal=ap, department=department
        ),
        "start": lambda actor, ap: services.appeal_start(actor=actor, appeal=ap),
        "reply": lambda actor, ap: services.appeal_reply(actor=actor, appeal=ap, note="已修好"),
        "rate": lambda actor, ap: services.appeal_rate(actor=actor, appeal=ap, score=1),
        "follow_up": lambda actor, ap: services.appeal_follow_up(actor=actor, appeal=ap, score=1),
        "close": lambda actor, ap: services.appeal_close(actor=actor, appeal=ap),
        "reopen": lambda actor, ap: services.appeal_reopen(actor=actor, appeal=ap, note="没修好"),
        "transfer": lambda actor, ap: services.appeal_transfer(
            actor=actor, appeal=ap, node=a.group, note="归屋场管"
        ),
        "escalate": lambda actor, ap: services.appeal_escalate(
            actor=actor, appeal=ap, note="需上级协调"
        ),
        "merge": lambda actor, ap: services.appeal_merge(
            actor=actor, appeal=ap, into=duplicate, note="同一件事"
        ),
        "supervise": lambda actor, ap: services.appeal_supervise(
            actor=actor, appeal=ap, note="请加快办理"
        ),
        "comment": lambda actor, ap: services.appeal_comment(
            actor=actor, appeal=ap, note="已电话联系"
        ),
    }


def _reset(appeal: Appeal, state: str, world) -> Appeal:
    was = Appeal.objects.select_related("node").get(pk=appeal.pk).node
    AppealRating.objects.filter(appeal=appeal).delete()  # a round is rated once
    Appeal.objects.filter(pk=appeal.pk).update(
        state=state,
        assignee=world.a.sibling_worker,
        department=None,
        node=world.a.grid,
        score=1,
        reopen_count=0,
        supervised=False,
        duplicate_of=None,
    )
    figures.touch(was, world.a.grid)  # written directly: their figures are recounted
    return Appeal.objects.select_related("node").get(pk=appeal.pk)


def test_every_transition_is_taken_from_its_states_by_its_parties_and_refused_otherwise(world):
    a = world.a
    duplicate = services.appeal_submit(actor=a.worker, household=a.household, text="甲村路灯又坏了")
    calls = _calls(world, duplicate)
    assert set(calls) == set(TRANSITIONS), "a transition of the table has no call in this walk"
    taken = refused = 0
    for name, transition in TRANSITIONS.items():
        for state in State.values:
            for who, (actor, parties) in _actors(world).items():
                appeal = _reset(a.appeal, state, world)
                events = AppealEvent.objects.filter(appeal=appeal).count()
                allowed = state in transition.sources and bool(parties & transition.parties)
                if name == "follow_up" and getattr(actor, "pk", None) in handlers_of(appeal):
                    allowed = False  # the handlers' work is what a follow-up call checks
                where = f"{who} {name} from {state}"
                if allowed:
                    calls[name](actor, appeal)
                    appeal.refresh_from_db()
                    assert appeal.state == (transition.target or state), where
                    last = AppealEvent.objects.filter(appeal=appeal).order_by("-id").first()
                    assert last.action == name, where
                    assert last.from_state == state, where
                    taken += 1
                else:
                    expected = ValidationError if parties & transition.parties else PermissionDenied
                    with pytest.raises(expected):
                        calls[name](actor, appeal)
                    appeal.refresh_from_db()
                    assert appeal.state == state, where
                    assert AppealEvent.objects.filter(appeal=appeal).count() == events, where
                    refused += 1
    assert taken > 40 and refused > 500


def test_an_appeal_goes_from_submission_to_closed_and_the_requester_reads_its_timeline(world):
    a = world.a
    appeal = a.appeal
    services.appeal_accept(actor=a.worker, appeal=appeal, note="收到")
    services.appeal_comment(actor=a.worker, appeal=appeal, note="内部：此户常反映", internal=True)
    services.appeal_assign(actor=a.worker, appeal=appeal, assignee=a.sibling_worker)
    services.appeal_start(actor=a.sibling_worker, appeal=appeal)
    services.appeal_reply(actor=a.sibling_worker, appeal=appeal, note="路灯已换新")
    services.appeal_rate(actor=a.villager, appeal=appeal, score=5, comment="很快")
    services.appeal_close(actor=a.worker, appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.state == State.CLOSED and appeal.score == 5
    from xiangzhi.appeals.selectors import appeal_timeline

    steps = [e.action for e in appeal_timeline(actor=a.villager, appeal=appeal)]
    assert steps == ["submit", "accept", "assign", "start", "reply", "rate", "close"]
    staff = [e.action for e in appeal_timeline(actor=a.worker, appeal=appeal)]
    assert "comment" in staff and len(staff) == len(steps) + 1


def test_an_unsatisfied_requester_has_the_appeal_reopened_once_only(world):
    a = world.a
    appeal = a.appeal
    services.appeal_accept(actor=a.worker, appeal=appeal)
    services.appeal_reply(actor=a.worker, appeal=appeal, note="已处理")
    services.appeal_rate(actor=a.villager, appeal=appeal, score=1, comment="根本没修")
    services.appeal_reopen(actor=a.villager, appeal=appeal, note="还是不亮")
    assert appeal.state == State.IN_PROGRESS and appeal.reopen_count == 1
    services.appeal_reply(actor=a.worker, appeal=appeal, note="这次换了灯泡")
    services.appeal_rate(actor=a.villager, appeal=appeal, score=2)
    with pytest.raises(ValidationError, match="重新办理过一次"):
        services.appeal_reopen(actor=a.villager, appeal=appeal, note="还是不行")
    assert appeal.ratings.count() == 2


def test_a_satisfied_rating_cannot_reopen_the_appeal(world):
    a = world.a
    appeal = a.appeal
    services.appeal_accept(actor=a.worker, appeal=appeal)
    services.appeal_reply(actor=a.worker, appeal=appeal, note="已处理")
    services.appeal_rate(actor=a.villager, appeal=appeal, score=4)
    with pytest.raises(ValidationError, match="不满意"):
        services.appeal_reopen(actor=a.villager, appeal=appeal, note="想再办")
    assert Appeal.objects.get(pk=appeal.pk).state == State.RATED


def test_a_duplicate_is_merged_and_a_transfer_clears_the_assignee(world):
    a = world.a
    first = services.appeal_submit(actor=a.worker, household=a.household, text="甲村桥头塌了")
    services.appeal_merge(actor=a.worker, appeal=a.appeal, into=first, note="同一处")
    a.appeal.refresh_from_db()
    assert a.appeal.state == State.MERGED and a.appeal.duplicate_of == first
    services.appeal_accept(actor=a.worker, appeal=first)
    services.appeal_assign(actor=a.worker, appeal=first, assignee=a.worker)
    services.appeal_transfer(actor=a.cadre, appeal=first, node=a.sibling_grid, note="那边管")
    first.refresh_from_db()
    assert (first.node, first.assignee, first.state) == (a.sibling_grid, None, State.ACCEPTED)
    assert first.origin_node == a.grid


def test_only_a_person_of_the_village_can_be_given_an_appeal(world):
    a = world.a
    services.appeal_accept(actor=a.worker, appeal=a.appeal)
    with pytest.raises(ValidationError, match="本村"):
        services.appeal_assign(actor=a.worker, appeal=a.appeal, assignee=world.b.worker)
    assert Appeal.objects.get(pk=a.appeal.pk).state == State.ACCEPTED
