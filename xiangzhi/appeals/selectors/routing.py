"""The routing suggestion shown on the accept form: a kind, a department and an assignee.

The learned model answers when the worker has trained one; otherwise the first keyword rule
that matches. A person always confirms: the suggestion only pre-fills the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xiangzhi.accounts.models import Department, User
from xiangzhi.core.roles import Role
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..models import Appeal
from ..models.routing import RoutingModelRecord, RoutingRule
from ..routing.learn import RoutingModel
from ..routing.rules import rule_match

RETRAIN_AFTER = dt.timedelta(days=1)
HANDLER_ROLES = (Role.VILLAGE_SECRETARY, Role.VILLAGE_CADRE, Role.GRID_WORKER)
VILLAGE_PATH = 10
_loaded: dict[int, RoutingModel] = {}  # the latest model, by its record's id, per process


@dataclass
class Suggestion:
    kind: str = ""
    department: Department | None = None
    assignee: User | None = None
    source: str = ""  # "model", "rules" or "" (nothing to suggest)
    confidence: float | None = None
    trained_at: dt.datetime | None = None

    @property
    def village_handles(self) -> bool:
        return self.source != "" and self.department is None

    @property
    def initial(self) -> dict[str, dict]:
        """The values it pre-fills, per workflow step's form."""
        out: dict[str, dict] = {}
        if self.department is not None:
            out["dispatch"] = {"department": self.department.pk}
        if self.assignee is not None:
            out["assign"] = {"assignee": self.assignee.pk}
        return out

    def kind_label(self) -> str:
        from ..models import Kind

        return str(Kind(self.kind).label) if self.kind in Kind.values else ""


def _latest_model() -> tuple[RoutingModel | None, RoutingModelRecord | None]:
    record = RoutingModelRecord.objects.defer("blob").order_by("-trained_at", "-id").first()
    if record is None:
        return None, None
    if record.pk not in _loaded:
        blob = RoutingModelRecord.objects.values_list("blob", flat=True).get(pk=record.pk)
        _loaded.clear()
        _loaded[record.pk] = RoutingModel.loads(bytes(blob))
    return _loaded[record.pk], record


def _queue_training_if_due(record: RoutingModelRecord | None) -> None:
    """Ask the worker for a new model when the latest is a day old (or there is none)."""
    if record is not None and timezone.now() - record.trained_at < RETRAIN_AFTER:
        return
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from ..routing.tasks import routing_train

    if not isinstance(routing_train.get_backend(), DatabaseBackend):
        return
    waiting = DBTaskResult.objects.filter(
        task_path=routing_train.module_path,
        status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING),
    )
    if not waiting.exists():
        transaction.on_commit(routing_train.enqueue)


def _assignee(ranked: list[tuple[str, float]], node: GridNode) -> User | None:
    """The most likely handler who still holds a handling role in the appeal's village."""
    ids = [int(label) for label, _ in ranked[:10] if label.isdigit()]
    if not ids:
        return None
    found = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=ids,
            is_active=True,
            role_assignments__role__in=HANDLER_ROLES,
            role_assignments__node__path__under=node.path[:VILLAGE_PATH],
        ).distinct()
    }
    return next((found[i] for i in ids if i in found), None)


def routing_suggest(*, actor: Actor, text: str, node: GridNode) -> Suggestion:
    """What to pre-fill on the accept form of an appeal with this text on this node."""
    model, record = _latest_model()
    _queue_training_if_due(record)
    if model is not None:
        guess = model.predict(text, node.path[:VILLAGE_PATH])
        out = Suggestion(source="model", trained_at=record.trained_at)
        if "kind" in guess:
            out.kind = guess["kind"].label
        if "department" in guess:
            code = guess["department"].label
            out.confidence = guess["department"].confidence
            out.department = Department.objects.filter(code=code).first()
        if out.department is None and "assignee" in guess:
            out.assignee = _assignee(guess["assignee"].ranked, node)
        return out
    rule = rule_match(
        text, list(RoutingRule.objects.filter(active=True).select_related("department"))
    )
    if rule is None:
        return Suggestion()
    return Suggestion(kind=rule.kind, department=rule.department, source="rules")


ROUTED_STEPS = {"accept", "assign", "dispatch"}


def routing_for_steps(*, actor: Actor, appeal: Appeal, steps: list) -> Suggestion:
    """The suggestion for an appeal's page when the actor may route it now, else an empty one."""
    if not any(t.name in ROUTED_STEPS for t in steps):
        return Suggestion()
    return routing_suggest(actor=actor, text=appeal.text, node=appeal.node)
