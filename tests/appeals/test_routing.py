"""Routing suggestion: keyword rules without history, a learned model once there is some."""

import datetime as dt

import pytest
from django.utils import timezone

from xiangzhi.accounts.models import Department
from xiangzhi.appeals.demo_corpus import messages
from xiangzhi.appeals.models import Appeal, RoutingModelRecord, RoutingRule, State
from xiangzhi.appeals.selectors.routing import routing_suggest
from xiangzhi.appeals.services import routing as training
from xiangzhi.core.models import AuditEvent


def _history(world, count):
    """Past handled appeals of both villages, labelled as the demo's cadres handled them."""
    departments = {d.code: d for d in Department.objects.all()}
    now = timezone.now()
    rows = []
    for i, m in enumerate(messages(count, seed=5)):
        v = world.a if i % 2 else world.b
        dept = departments.get(m.department)
        at = now - dt.timedelta(hours=count - i)
        rows.append(
            Appeal(
                kind=m.kind,
                source="group_chat",
                text=m.text,
                node=v.grid,
                origin_node=v.grid,
                state=State.CLOSED,
                created_at=at,
                accepted_at=at,
                department=dept,
                assignee=None if dept else v.worker,
            )
        )
    Appeal.objects.bulk_create(rows)


def test_without_history_the_keyword_rules_suggest(world):
    s = routing_suggest(actor=world.a.cadre, text="我屋里想申请低保要么子材料", node=world.a.grid)
    assert s.source == "rules"
    assert s.department.code == "civil_affairs"
    assert not RoutingModelRecord.objects.exists()


def test_an_admins_rule_changes_the_suggestion(world):
    RoutingRule.objects.create(
        keywords="牛栏、猪圈",
        kind="complaint",
        department=Department.objects.get(code="law_enforcement"),
        priority=1,
    )
    s = routing_suggest(actor=world.a.cadre, text="隔壁猪圈臭死了", node=world.a.grid)
    assert (s.kind, s.department.code) == ("complaint", "law_enforcement")


def test_no_rule_and_no_model_suggest_nothing(world):
    s = routing_suggest(actor=world.a.cadre, text="你好", node=world.a.grid)
    assert s.source == "" and s.department is None and s.kind == ""


def test_too_little_history_trains_nothing(world):
    _history(world, 20)
    assert training.routing_model_train() is None
    assert not RoutingModelRecord.objects.exists()


@pytest.fixture
def trained(world, monkeypatch):
    monkeypatch.setattr(training, "MIN_HISTORY", 100)
    _history(world, 600)
    return training.routing_model_train()


def test_the_model_learns_departments_and_each_villages_handler(world, trained):
    assert trained.samples >= 600  # and the test world's own handled appeals
    assert trained.size == len(bytes(trained.blob)) > 0
    assert trained.accuracy["department"] > 0.7
    s = routing_suggest(actor=world.a.cadre, text="我屋门口路灯坏了好几天了", node=world.a.grid)
    assert s.source == "model"
    assert s.department is None  # the village handles street lights
    assert s.assignee == world.a.worker  # this village's handler, not the neighbour's
    s = routing_suggest(actor=world.b.cadre, text="我屋门口路灯坏了好几天了", node=world.b.grid)
    assert s.assignee == world.b.worker
    s = routing_suggest(actor=world.a.cadre, text="山塘坝子上有条缝水涨得好高", node=world.a.grid)
    assert s.department.code == "emergency"


def test_training_again_on_the_same_history_stores_nothing_new(world, trained):
    again = training.routing_model_train()
    assert again.pk == trained.pk
    assert RoutingModelRecord.objects.count() == 1
    assert AuditEvent.objects.filter(action="appeals.routing_model_train").count() == 1


def test_the_worker_task_trains_the_model(world, monkeypatch):
    from xiangzhi.appeals.routing.tasks import routing_train

    monkeypatch.setattr(training, "MIN_HISTORY", 100)
    _history(world, 300)
    result = routing_train.call()
    assert result == RoutingModelRecord.objects.get().pk
