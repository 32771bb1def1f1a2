"""Coverage of contact work (联系户覆盖): for any node and period, computed from the links and
visits in a constant number of queries, whatever the number of households under the node."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Length, Substr
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from xiangzhi.core.paths import SEGMENT
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household

from ..models import ContactLink, ContactSettings, FollowUp, PartyMember, Visit

GROUP_LEVEL = 4
VILLAGE_LEVEL = 2
FLAGGED_SHOWN = 50
# 统计用区划代码: the last three digits of a 居委会 (community) run 001-199, a 村委会's 200 up.
COMMUNITY_CODE_BELOW = 200


def contact_settings_of(node: GridNode) -> ContactSettings:
    """The contact rules of the node's township (the defaults above a township or without a row)."""
    if node.level < 1:
        return ContactSettings()
    found = ContactSettings.objects.filter(township__path=node.ancestor_path_at(1)).first()
    return found or ContactSettings()


def is_community(code: str | None) -> bool:
    """A village-level node whose division code is a 居委会's (a community)."""
    return bool(code) and len(code) == 12 and code[-3:].isdigit() and int(code[-3:]) < 200


@dataclass
class Coverage:
    node: GridNode
    start: dt.date
    end: dt.date
    interval_days: int | None  # None: the townships under the node differ
    households: int = 0
    linked: int = 0
    visited: int = 0
    overdue: int = 0
    follow_ups_overdue: int = 0
    members_linked: int = 0
    members_visiting: int = 0  # 联系群众党员数: members who visited a linked household
    visits: int = 0
    flagged_groups: list[dict] = field(default_factory=list)
    flagged_count: int = 0

    @property
    def uncovered(self) -> int:
        return max(self.households - self.linked, 0)

    @property
    def linked_percent(self) -> int:
        return round(100 * self.linked / self.households) if self.households else 0

    @property
    def visited_percent(self) -> int:
        return round(100 * self.visited / self.linked) if self.linked else 0


def active_links(*, actor: Actor, node: GridNode) -> QuerySet[ContactLink]:
    return ContactLink.objects.for_actor(actor).filter(
        household__node__path__under=node.path,
        household__status=Household.Status.ACTIVE,
        ended_on__isnull=True,
    )


def overdue_q(today: dt.date, interval_days: int) -> Q:
    """A primary link whose household had no visit within the interval (a new link gets one)."""
    cutoff = today - dt.timedelta(days=interval_days)
    return Q(role=ContactLink.Role.PRIMARY) & (
        Q(last_visit_on__lt=cutoff) | Q(last_visit_on__isnull=True, started_on__lt=cutoff)
    )


def _intervals(node: GridNode, rules: ContactSettings | None = None) -> tuple[int, dict[str, int]]:
    """The visit interval of the node's township, or for a node above the townships the default
    and each township's own where it differs (township path -> days)."""
    if node.level >= 1:
        return (rules or contact_settings_of(node)).visit_interval_days, {}
    default = ContactSettings.VISIT_INTERVAL_DAYS
    own = dict(
        ContactSettings.objects.filter(township__path__under=node.path)
        .exclude(visit_interval_days=default)
        .values_list("township__path", "visit_interval_days")
    )
    return default, own


def overdue_of(
    node: GridNode, today: dt.date, rules: ContactSettings | None = None
) -> tuple[Q, int | None]:
    """The overdue condition on links under the node, each under its own township's interval,
    and that interval (None when the townships under a county differ); rules: the node's own
    (contact_settings_of), when the caller has them."""
    default, own = _intervals(node, rules)
    if not own:
        return overdue_q(today, default), default
    under = "household__node__path__under"
    cond, elsewhere = Q(), Q()
    for path, days in sorted(own.items()):
        cond |= Q(**{under: path}) & overdue_q(today, days)
        elsewhere &= ~Q(**{under: path})
    return cond | (elsewhere & overdue_q(today, default)), None


class DaysBefore(Func):
    """The date `days` (an integer expression) before the date `day`, on SQLite and PostgreSQL."""

    output_field = DateField()

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object
    ) -> tuple[str, list]:
        (day, day_params), (days, days_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        if connection.vendor == "sqlite":
            return f"date({day}, '-' || ({days}) || ' days')", [*day_params, *days_params]
        return f"(CAST({day} AS date) - CAST({days} AS integer))", [*day_params, *days_params]


def overdue_links(today: dt.date) -> QuerySet[ContactLink]:
    """The overdue primary links of the whole deployment, each under its township's interval read
    in the same statement (the maintained figure 逾期未走访户; the same links as overdue_of)."""
    # The township's path: the household node's, less a segment per level below the township
    # (a town deployment's township is a root with one segment, a county's has two).
    path, level = OuterRef("household__node__path"), OuterRef("household__node__level")
    township = Substr(path, 1, Length(path) - (level - 1) * SEGMENT)
    days = Coalesce(
        Subquery(
            ContactSettings.objects.filter(township__path=township).values("visit_interval_days")[
                :1
            ]
        ),
        Value(ContactSettings.VISIT_INTERVAL_DAYS),
    )
    return (
        ContactLink.objects.filter(role=ContactLink.Role.PRIMARY, ended_on__isnull=True)
        .annotate(_cutoff=DaysBefore(Value(today, output_field=DateField()), days))
        .filter(
            Q(last_visit_on__lt=F("_cutoff"))
            | Q(last_visit_on__isnull=True, started_on__lt=F("_cutoff"))
        )
    )


def link_at_visit() -> QuerySet[ContactLink]:
    """Inside a query of visits: the visit's member was the household's contact on its day (the
    link had started and had not ended before it), as 联系群众党员数 counts them."""
    return ContactLink.objects.filter(
        household=OuterRef("household"),
        member=OuterRef("member"),
        started_on__lte=OuterRef("visited_on"),
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("visited_on")))


def coverage_of(
    *,
    actor: Actor,
    node: GridNode,
    start: dt.date,
    end: dt.date,
    today: dt.date | None = None,
    flags: bool = True,
) -> Coverage:
    """Households linked, visited in [start, end], overdue, follow-ups overdue, members: 6 queries."""
    today = today or timezone.localdate()
    rules = contact_settings_of(node)
    overdue, interval = overdue_of(node, today, rules)
    cov = Coverage(node=node, start=start, end=end, interval_days=interval)
    cov.households = (
        Household.objects.for_actor(actor)
        .filter(node__path__under=node.path, status=Household.Status.ACTIVE)
        .count()
    )
    links = active_links(actor=actor, node=node).aggregate(
        linked=Count("pk", filter=Q(role=ContactLink.Role.PRIMARY)),
        overdue=Count("pk", filter=overdue),
        members=Count("member", distinct=True),
    )
    cov.linked, cov.overdue, cov.members_linked = (
        links["linked"],
        links["overdue"],
        links["members"],
    )
    linked_visit = link_at_visit()
    visits = (
        Visit.objects.for_actor(actor)
        .filter(household__node__path__under=node.path, visited_on__range=(start, end))
        .aggregate(
            visits=Count("pk"),
            households=Count("household", distinct=True),
            members=Count("member", distinct=True, filter=Q(Exists(linked_visit))),
        )
    )
    cov.visits, cov.visited, cov.members_visiting = (
        visits["visits"],
        visits["households"],
        visits["members"],
    )
    cov.follow_ups_overdue = (
        FollowUp.objects.for_actor(actor)
        .filter(household__node__path__under=node.path, done_on__isnull=True, due_on__lt=today)
        .filter(household__status=Household.Status.ACTIVE)  # one that left is visited no more
        .count()
    )
    if flags and node.level >= 1:
        _flag_groups(cov, actor, node, rules)
    return cov


def kept_coverage(*, node: GridNode, today: dt.date | None = None) -> Coverage:
    """This month's coverage of a node in scope from its maintained figures (the grid page's own
    rows): a few rows whatever the population under it, for the workbench. coverage_of counts the
    same live, for any period."""
    from xiangzhi.grid.rollup import rollup_children

    today = today or timezone.localdate()
    counts = rollup_children(node, [])[0].counts
    default, own = _intervals(node)
    interval = None if own else default
    return Coverage(
        node=node,
        start=today.replace(day=1),
        end=today,
        interval_days=interval,
        households=counts.get("households", 0),
        linked=counts.get("contact_households", 0),
        visited=counts.get("households_visited", 0),
        overdue=counts.get("contact_overdue", 0),
        follow_ups_overdue=counts.get("follow_ups_overdue", 0),
        members_visiting=counts.get("contact_members", 0),
    )


def _flag_groups(cov: Coverage, actor: Actor, node: GridNode, rules: ContactSettings) -> None:
    """The hamlet groups (level 4) under the node that hold more households than their quota."""
    if node.level > GROUP_LEVEL:
        return
    group_len = len(node.path) + SEGMENT * (GROUP_LEVEL - node.level)
    counts = (
        Household.objects.for_actor(actor)
        .filter(
            node__path__under=node.path,
            node__level__gte=GROUP_LEVEL,
            status=Household.Status.ACTIVE,
        )
        .annotate(group=Substr("node__path", 1, group_len))
        .values("group")
        .annotate(n=Count("pk"))
        .filter(n__gt=min(rules.village_group_quota, rules.community_group_quota))
    )
    over = {row["group"]: row["n"] for row in counts}
    if not over:
        return
    village_len = len(node.path) - SEGMENT * (node.level - VILLAGE_LEVEL)
    groups = GridNode.objects.filter(path__in=sorted(over), level=GROUP_LEVEL).order_by("path")
    codes = dict(
        GridNode.objects.filter(
            path__in={p[:village_len] for p in over}, level=VILLAGE_LEVEL
        ).values_list("path", "code")
    )
    flagged = []
    for group in groups:
        community = is_community(codes.get(group.path[:village_len]))
        quota = rules.community_group_quota if community else rules.village_group_quota
        if over[group.path] > quota:
            flagged.append({"node": group, "households": over[group.path], "quota": quota})
    cov.flagged_count = len(flagged)
    cov.flagged_groups = flagged[:FLAGGED_SHOWN]


def member_coverage(
    *, actor: Actor, node: GridNode, start: dt.date, end: dt.date, today: dt.date | None = None
) -> QuerySet[PartyMember]:
    """Per member under the node: households linked, overdue, visits in the period, last visit."""
    today = today or timezone.localdate()
    overdue, _ = overdue_of(node, today)
    links = ContactLink.objects.filter(member=OuterRef("pk"), ended_on__isnull=True)

    def count_of(qs: QuerySet) -> Coalesce:
        return Coalesce(
            Subquery(
                qs.order_by().values("member").annotate(c=Count("pk")).values("c"),
                output_field=IntegerField(),
            ),
            0,
        )

    visits = Visit.objects.filter(member=OuterRef("pk"), visited_on__range=(start, end))
    return (
        PartyMember.objects.for_actor(actor)
        .filter(resident__node__path__under=node.path, resident__status="active")
        .select_related("resident__node", "organisation")
        .only("pk", "resident__name", "resident__node__name", "organisation__name")
        .annotate(
            n_linked=count_of(links),
            n_overdue=count_of(links.filter(overdue)),
            n_visits=count_of(visits),
            last_visit=Subquery(
                Visit.objects.filter(member=OuterRef("pk"))
                .order_by("-visited_on")
                .values("visited_on")[:1]
            ),
        )
        .order_by("-n_linked", "resident__node__path", "pk")
    )


def uncovered_households(
    *, actor: Actor, node: GridNode, tag: str = "", search: str = ""
) -> QuerySet[Household]:
    """The active households under the node with no primary contact member."""
    primary = ContactLink.objects.filter(
        household=OuterRef("pk"), ended_on__isnull=True, role=ContactLink.Role.PRIMARY
    )
    qs = (
        Household.objects.for_actor(actor)
        .filter(node__path__under=node.path, status=Household.Status.ACTIVE)
        .filter(~Exists(primary))
        .select_related("node", "head")
        .only("pk", "number", "address", "node__name", "node__path", "head__name")
    )
    if tag:
        qs = qs.filter(tags__code=tag)
    if search:
        qs = qs.filter(Q(address__contains=search) | Q(number=search) | Q(head__name=search))
    return qs.order_by("node__path", "pk")
