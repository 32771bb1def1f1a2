"""The overdue board and the satisfaction tables: grouped counts, a few queries whatever the rows.

Both group the actor's appeals (or ratings) by the child of the actor's top node that holds them
(a cadre of a village sees its branches, the township its villages), by department and, for
satisfaction, by the person who handled them: one grouped query each, and one for the names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import Substr

from xiangzhi.accounts.models import Department, User
from xiangzhi.core.paths import SEGMENT
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..models import OPEN_STATES, Appeal, AppealRating


@dataclass
class Row:
    label: str
    count: int
    extra: int = 0  # overdue: of which supervised; satisfaction: satisfied
    average: float | None = None

    @property
    def rate(self) -> int | None:
        """The satisfied share in percent (satisfaction tables)."""
        return round(100 * self.extra / self.count) if self.count else None


def group_length(*, actor: Actor) -> int:
    """The length of the path prefix that names the child of the actor's top node."""
    scope = scope_for(actor)
    paths = scope.read_paths
    if paths:
        return min(len(p) for p in paths) + SEGMENT
    township = GridNode.objects.filter(level=1).order_by("path").values_list("path", flat=True)
    first = township.first()
    return len(first) + SEGMENT if first else 2 * SEGMENT


def _by_node(
    qs: QuerySet, lookup: str, length: int, **aggregates: object
) -> list[tuple[str, dict]]:
    rows = (
        qs.annotate(_g=Substr(lookup, 1, length))
        .values("_g")
        .annotate(_n=Count("pk"), **aggregates)
        .order_by("_g")
    )
    rows = list(rows)
    names = dict(
        GridNode.objects.filter(path__in=[r["_g"] for r in rows]).values_list("path", "name")
    )
    return [(names.get(r["_g"], r["_g"]), r) for r in rows]


def overdue_board(*, actor: Actor) -> dict:
    """Overdue open appeals by node and by department, and the appeals themselves (paged later)."""
    overdue = Appeal.objects.for_actor(actor).filter(state__in=OPEN_STATES, overdue=True)
    length = group_length(actor=actor)
    supervised = Count("pk", filter=Q(supervised=True))
    by_node = [
        Row(name, r["_n"], r["_s"])
        for name, r in _by_node(overdue, "node__path", length, _s=supervised)
    ]
    dept_rows = (
        overdue.exclude(department=None)
        .values("department__name")
        .annotate(_n=Count("pk"), _s=supervised)
        .order_by("department__name")
    )
    by_department = [Row(r["department__name"], r["_n"], r["_s"]) for r in dept_rows]
    rows = overdue.select_related("node", "assignee", "department", "resident").order_by(
        "deadline", "id"
    )
    return {"by_node": by_node, "by_department": by_department, "rows": rows}


def satisfaction(*, actor: Actor) -> dict:
    """Ratings by node, department and handler: how many, the average score, the satisfied."""
    ratings = AppealRating.objects.for_actor(actor)
    agg = {
        "_a": Avg("score"),
        "_s": Count("pk", filter=Q(score__gte=AppealRating.SATISFIED_FROM)),
    }
    length = group_length(actor=actor)
    by_node = [
        Row(name, r["_n"], r["_s"], r["_a"])
        for name, r in _by_node(ratings, "node__path", length, **agg)
    ]
    dept = ratings.exclude(department=None).values("department_id").annotate(_n=Count("pk"), **agg)
    dept = list(dept.order_by("department_id"))
    names = dict(
        Department.objects.filter(pk__in=[r["department_id"] for r in dept]).values_list(
            "pk", "name"
        )
    )
    by_department = [Row(names[r["department_id"]], r["_n"], r["_s"], r["_a"]) for r in dept]
    people = ratings.exclude(handler=None).values("handler_id").annotate(_n=Count("pk"), **agg)
    people = list(people.order_by("-_n", "handler_id")[:100])
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=[r["handler_id"] for r in people])}
    by_person = [Row(users[r["handler_id"]], r["_n"], r["_s"], r["_a"]) for r in people]
    total = ratings.aggregate(_n=Count("pk"), **agg)
    return {
        "total": Row("", total["_n"], total["_s"], total["_a"]),
        "by_node": by_node,
        "by_department": by_department,
        "by_person": by_person,
    }
