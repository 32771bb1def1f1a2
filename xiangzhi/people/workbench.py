"""The registry's panels of the workbench (工作台, core.workbench): what each role sees first.

- cadres: to-dos (head changes to check, records with problems), the groups they follow (60+,
  80+, 独居老人, 留守儿童, 低保户, 特困, 残疾人), each a link to the filtered list;
- cadres and field workers: this month's population changes;
- grid workers and hamlet group leaders: the households of their grids, with a call button
  where their role may see the number (an audited reveal, people.workbench_views);
- villagers and party members: their own household, its members and changes;
- department staff: the households and residents carrying the tags their department serves.

Every panel costs a fixed number of queries, whatever the number of rows under the user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from xiangzhi.core.roles import FIELD_ROLES, WRITE_ROLES
from xiangzhi.core.scope import path_q
from xiangzhi.core.types import Actor
from xiangzhi.core.workbench import Desk, month_start

from .models import Household, HouseholdChange, Resident, Tag
from .selectors import PERSONAL, household_change_counts, household_change_list

SHOWN = 5  # rows of a to-do shown on the workbench; the count and a link tell the rest
FIELD_HOUSEHOLDS = 200  # a grid worker's grids hold far fewer; a group leader's a few dozen
RECENT_DAYS = 30  # how long a head change stays on the to-do list


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- the groups cadres follow: registered as figures, rolled up the grid --------------------


@dataclass(frozen=True)
class Group:
    """A group of people (or households) a cadre follows, counted as a figure of the grid."""

    key: str
    label: str
    tag: str = ""
    min_age: int = 0
    households: bool = False  # counted as households (a 低保户), else as people

    def queryset(self) -> QuerySet:
        """The counted rows; an age band is measured on today's date."""
        if self.households:
            return Household.objects.filter(status=Household.Status.ACTIVE, tags__code=self.tag)
        qs = Resident.objects.filter(status=Resident.Status.ACTIVE)
        if self.tag:
            qs = qs.filter(tags__code=self.tag)
        if self.min_age:
            qs = qs.filter(birth_date__lte=years_before(timezone.localdate(), self.min_age))
        return qs

    def link(self, node_id: int) -> str:
        """The filtered list of the group under a node."""
        if self.households:
            query = {"tag": self.tag, "node": node_id}
            return f"{reverse('people:household_list')}?{urlencode(query)}"
        query = {"age": self.min_age} if self.min_age else {"tag": self.tag}
        return f"{reverse('people:resident_list')}?{urlencode({**query, 'node': node_id})}"


GROUPS = (
    Group("age_60_plus", "60岁以上", min_age=60),
    Group("age_80_plus", "80岁以上", min_age=80),
    Group("living_alone", "独居老人", tag="elderly_living_alone"),
    Group("left_behind", "留守儿童", tag="left_behind_child"),
    Group("subsistence", "低保户", tag="subsistence_allowance", households=True),
    # 特困人员 is what 五保户 became in 2014; the tag keeps the older name people still use.
    Group("extreme_poverty", "特困（五保）户", tag="five_guarantees", households=True),
    Group("disabled", "残疾人", tag="disabled"),
)


def register_groups() -> None:
    """Declare each group as a figure (counted over a subtree by the grid's roll-up); an age band
    changes with the calendar as well as with writes, so it is recounted daily too."""
    from xiangzhi.core.registry import register_figure

    for group in GROUPS:
        daily = bool(group.min_age)
        register_figure(group.key, group.label, group.queryset, "node__path", daily=daily)


def groups_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """The groups under each subtree the desk oversees, from the page's one roll-up."""
    if not obj.oversees:
        return None
    from xiangzhi.grid.workbench import desk_overviews

    subtrees = [
        {
            "node": o.node,
            "groups": [(g, o.total.counts.get(g.key, 0), g.link(o.node.pk)) for g in GROUPS],
        }
        for o in desk_overviews(obj)
    ]
    return {"subtrees": subtrees} if subtrees else None


# --- cadres' to-dos -------------------------------------------------------------------------


def _writable(actor: Actor, desk: Desk, qs: QuerySet, lookup: str = "node__path") -> QuerySet:
    """Rows of the part of the scope the desk may change (a to-do is for who can do it)."""
    if desk.scope.superuser:
        return qs
    return qs.filter(path_q(desk.paths(WRITE_ROLES), lookup))


def heads_to_check(*, actor: Actor, desk: Desk) -> QuerySet[Household]:
    """Households whose head changed lately (户主变更, or a head's death, move-out or split)
    where a member's relation is still 其他: the suggestion could not tell, a person must."""
    since = desk.today - dt.timedelta(days=RECENT_DAYS)
    kinds = [
        HouseholdChange.Kind.HEAD_CHANGE,
        HouseholdChange.Kind.DEATH,
        HouseholdChange.Kind.MOVE_OUT,
        HouseholdChange.Kind.SPLIT,
    ]
    changed = HouseholdChange.objects.filter(kind__in=kinds, occurred_on__gte=since)
    unclear = Resident.objects.filter(
        status=Resident.Status.ACTIVE, relation=Resident.Relation.OTHER
    )
    qs = Household.objects.for_actor(actor).filter(
        status=Household.Status.ACTIVE,
        pk__in=changed.values("household_id"),
    )
    qs = qs.filter(pk__in=unclear.values("household_id"))
    return _writable(actor, desk, qs).select_related("head").order_by("node__path", "id")


def households_without_head(*, actor: Actor, desk: Desk) -> QuerySet[Household]:
    """Registered households with no head in the register (none, or one who died or left)."""
    qs = Household.objects.for_actor(actor).filter(status=Household.Status.ACTIVE)
    qs = qs.filter(Q(head__isnull=True) | ~Q(head__status=Resident.Status.ACTIVE))
    return _writable(actor, desk, qs).order_by("node__path", "id")


def residents_without_id(*, actor: Actor, desk: Desk) -> QuerySet[Resident]:
    """Registered people without an ID number (身份证号), which most ledgers require."""
    qs = Resident.objects.for_actor(actor).filter(
        status=Resident.Status.ACTIVE, id_number_index__isnull=True
    )
    return _writable(actor, desk, qs).defer(*PERSONAL).order_by("node__path", "id")


def todo_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """Head changes to check and records with problems, for those who may correct them."""
    if not obj.leads:
        return None
    lists = [
        (
            "heads",
            "户主变更待核对",
            "变更后有成员的“与户主关系”仍为“其他”，请核对。",
            heads_to_check(actor=actor, desk=obj),
            "people:household_head",
        ),
        (
            "headless",
            "缺少户主的户",
            "户主已去世或迁出而未指定新户主。",
            households_without_head(actor=actor, desk=obj),
            "people:household_detail",
        ),
        (
            "no_id",
            "缺少身份证号的居民",
            "补全后才能准确查重和导出台账。",
            residents_without_id(actor=actor, desk=obj),
            "people:resident_detail",
        ),
    ]
    todos = []
    for key, title, help_text, qs, url_name in lists:
        rows = list(qs[:SHOWN])
        count = qs.count()  # always asked: the page's cost does not depend on the rows
        todos.append(
            {
                "key": key,
                "title": title,
                "help": help_text,
                "count": count,
                "rows": [(str(_row_label(r)), reverse(url_name, args=[r.pk])) for r in rows],
            }
        )
    return {"todos": todos, "total": sum(t["count"] for t in todos)}


def _row_label(row) -> str:
    if isinstance(row, Household):
        head = row.head.name if row.head_id and row.head else ""
        return f"{head}户 {row.number}".strip() if head else (row.number or row.address)
    return row.name


# --- this month's changes -------------------------------------------------------------------


def changes_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """This month's population changes in the desk's subtrees (a grid worker's: their grids)."""
    if not (obj.leads or obj.in_field):
        return None
    since = month_start(obj.today)
    qs = household_change_list(actor=actor, since=since, until=obj.today)
    counts = household_change_counts(qs)
    kinds = [k for k in HouseholdChange.Kind.choices if k[0] != HouseholdChange.Kind.IMPORT]
    query = urlencode({"since": since.isoformat(), "until": obj.today.isoformat()})
    return {
        "counts": [(label, counts.get(kind, 0)) for kind, label in kinds],
        "total": sum(counts.values()),
        "recent": list(qs[:8]),
        "ledger": f"{reverse('people:change_list')}?{query}",
        "month": since,
    }


# --- grid workers and hamlet group leaders --------------------------------------------------


def field_households(*, actor: Actor, desk: Desk) -> QuerySet[Household]:
    """The registered households of the grids a field worker is bound to, with their size."""
    active = Q(members__status=Resident.Status.ACTIVE)
    return (
        Household.objects.for_actor(actor)
        .filter(path_q(desk.paths(FIELD_ROLES), "node__path"), status=Household.Status.ACTIVE)
        .select_related("node", "head")
        .defer(*(f"head__{f}" for f in PERSONAL))
        .annotate(size=Count("members", filter=active))
        .order_by("node__path", "id")
    )


def field_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """A grid worker's households; the call button only where the role may see the number."""
    if not obj.in_field:
        return None
    rows = list(field_households(actor=actor, desk=obj)[: FIELD_HOUSEHOLDS + 1])
    more = len(rows) > FIELD_HOUSEHOLDS
    households = [
        {
            "household": h,
            "callable": bool(h.head_id and h.head.phone_mask)
            and obj.scope.can_reveal_path(h.node.path),
        }
        for h in rows[:FIELD_HOUSEHOLDS]
    ]
    return {"households": households, "more": more}


# --- villagers and party members ------------------------------------------------------------


def household_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """The user's own household: its members (ages, not numbers) and its latest changes."""
    if not obj.in_household:
        return None
    households = list(
        Household.objects.for_actor(actor)
        .filter(pk__in=sorted(obj.scope.household_ids))
        .select_related("node")
        .order_by("id")
    )
    if not households:
        return None
    members = (
        Resident.objects.for_actor(actor)
        .filter(household__in=households, status=Resident.Status.ACTIVE)
        .defer(*PERSONAL)
        .order_by("household_id", "id")
    )
    changes = (
        HouseholdChange.objects.for_actor(actor)
        .filter(household__in=households)
        .exclude(kind=HouseholdChange.Kind.IMPORT)
        .select_related("resident")
        .defer(*(f"resident__{f}" for f in PERSONAL))
        .order_by("-occurred_on", "-id")
    )
    by_household = {h.pk: {"household": h, "members": [], "changes": []} for h in households}
    for m in members:
        by_household[m.household_id]["members"].append((m, age_on(m.birth_date, obj.today)))
    for c in changes[:10]:
        by_household[c.household_id]["changes"].append(c)
    return {"homes": list(by_household.values())}


# --- department staff -----------------------------------------------------------------------


def department_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """What the user's departments serve in their subtree: counts by tag and the first rows."""
    if not obj.in_department:
        return None
    from xiangzhi.accounts.models import Department

    departments = list(Department.objects.filter(pk__in=sorted(obj.scope.department_ids)))
    tags = list(Tag.objects.filter(departments__in=departments).distinct().order_by("id"))
    households = Household.objects.for_actor(actor).filter(status=Household.Status.ACTIVE)
    residents = Resident.objects.for_actor(actor).filter(status=Resident.Status.ACTIVE)
    by_household_tag = dict(
        households.filter(tags__in=tags).values_list("tags__code").annotate(n=Count("pk"))
    )
    by_resident_tag = dict(
        residents.filter(tags__in=tags).values_list("tags__code").annotate(n=Count("pk"))
    )
    counts = [
        {
            "tag": t,
            "households": by_household_tag.get(t.code, 0),
            "residents": by_resident_tag.get(t.code, 0),
            "households_url": f"{reverse('people:household_list')}?{urlencode({'tag': t.code})}",
            "residents_url": f"{reverse('people:resident_list')}?{urlencode({'tag': t.code})}",
        }
        for t in tags
    ]
    first = (
        households.select_related("node", "head")
        .defer(*(f"head__{f}" for f in PERSONAL))
        .prefetch_related("tags")
        .order_by("node__path", "id")
    )
    return {
        "departments": departments,
        "bound": bool(obj.scope.served),
        "counts": counts,
        "households": list(first[:10]),
        "household_total": households.count(),
        "resident_total": residents.count(),
    }


def register_panels() -> None:
    """Add the registry's panels to the workbench (core.registry)."""
    from xiangzhi.core.registry import register_panel

    register_panel("workbench", "people_todo", "people/panels/todo.html", todo_panel, order=11)
    register_panel(
        "workbench", "own_household", "people/panels/household.html", household_panel, order=12
    )
    register_panel(
        "workbench", "department", "people/panels/department.html", department_panel, order=13
    )
    register_panel("workbench", "field", "people/panels/field.html", field_panel, order=14)
    register_panel("workbench", "changes", "people/panels/changes.html", changes_panel, order=20)
    register_panel("workbench", "groups", "people/panels/groups.html", groups_panel, order=30)
