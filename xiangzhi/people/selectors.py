"""Every read of the registry that a page or the API shows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.crypto import blind_index, last4_index
from xiangzhi.core.roles import NODE_ROLES, REVEAL_ROLES
from xiangzhi.core.scope import path_q, scope_for
from xiangzhi.core.types import Actor
from xiangzhi.core.validators import normalize_text
from xiangzhi.core.xlsx import clip
from xiangzhi.grid.labels import GridLabelReader, grid_labels
from xiangzhi.grid.models import GridNode

from .models import Household, HouseholdChange, Resident, Tag

_ASCII = re.compile(r"^[a-z]+$")
PERSONAL = ("id_number", "phone")  # encrypted; lists read their masks instead
# What a row of the resident list page shows, fetched as plain values (templatetags/people_rows).
RESIDENT_ROW_FIELDS = (
    "pk",
    "name",
    "gender",
    "birth_date",
    "id_number_mask",
    "phone_mask",
    "relation",
    "status",
    "node__name",
)


def _number_q(actor: Actor, match: Q) -> Q:
    """An exact ID or phone match, only where the actor may reveal numbers: to anyone else a
    search that finds a guessed number would confirm it without the audited reveal."""
    scope = scope_for(actor)
    if scope.superuser:
        return match
    return match & path_q(scope.paths(REVEAL_ROLES), "node__path")


def _last4_q(digits: str, *, actor: Actor) -> Q:
    """尾号: the last four of a phone (which the list's mask shows anyway) anywhere in scope, or of
    an ID number only where the actor may reveal numbers (its mask hides them: a match would
    confirm the sequence digits the mask keeps back)."""
    match = _number_q(actor, Q(id_number_last4=last4_index(digits, "id")))
    if digits.isdigit():
        match |= Q(phone_last4=last4_index(digits, "phone"))
    return match


# The searches by a number (upper-cased): 尾号, a whole ID number, a mobile or a landline.
# services.registry.resident_number_search audits every query one of them matches.
LAST4_QUERY = re.compile(r"\d{3}[\dX]", re.ASCII)
ID_QUERY = re.compile(r"\d{17}[\dX]|\d{15}", re.ASCII)
PHONE_QUERY = re.compile(r"1\d{10}|0\d{2,3}-?\d{7,8}", re.ASCII)
NUMBER_QUERIES = (LAST4_QUERY, ID_QUERY, PHONE_QUERY)


def resident_search_q(query: str, *, actor: Actor) -> Q:
    """Match a name, its full pinyin or initials ("zhangsan", "zs"), the last four digits of a
    phone or ID number (尾号), or an exact ID/phone number (ID numbers, in part or whole, only in
    the part of the scope where the actor may reveal numbers)."""
    q = normalize_text(query).lower()
    if not q:
        return Q()
    if _ASCII.match(q):
        return Q(name_pinyin__startswith=q) | Q(name_initials__startswith=q)
    upper = q.upper()
    if LAST4_QUERY.fullmatch(upper):
        return _last4_q(upper, actor=actor)
    if ID_QUERY.fullmatch(upper):
        from xiangzhi.core.validators import parse_citizen_id

        try:
            upper = parse_citizen_id(upper).number
        except Exception:  # noqa: BLE001 - an invalid number simply matches nothing
            return Q(pk__in=[])
        return _number_q(actor, Q(id_number_index=blind_index(upper, "id")))
    if PHONE_QUERY.fullmatch(upper):  # a mobile, or a landline with its code
        from xiangzhi.core.validators import normalize_phone

        try:
            return _number_q(actor, Q(phone_index=blind_index(normalize_phone(q), "phone")))
        except ValidationError:
            return Q(pk__in=[])
    return Q(name__contains=query.strip())


def _common_filters(qs: QuerySet, node: GridNode | None, status: str, tag: str) -> QuerySet:
    """The filters the resident and household lists share: subtree, status, tag."""
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    if status:
        qs = qs.filter(status=status)
    if tag:
        qs = qs.filter(tags__code=tag)
    return qs


# The age bands of the resident list's filter: "60" is 60 and over, "18-59" both ends included.
AGE_BANDS = (
    ("0-17", "18岁以下"),
    ("18-59", "18至59岁"),
    ("60", "60岁及以上"),
    ("60-79", "60至79岁"),
    ("80", "80岁及以上"),
)


def parse_age_band(value: str) -> tuple[int, int | None] | None:
    """ "60" -> (60, None), "18-59" -> (18, 59); None for anything else."""
    m = re.fullmatch(r"(\d{1,3})(?:-(\d{1,3}))?", (value or "").strip())
    if not m:
        return None
    low, high = int(m[1]), int(m[2]) if m[2] else None
    return None if high is not None and high < low else (low, high)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def age_q(band: tuple[int, int | None], *, today: dt.date, prefix: str = "") -> Q:
    """Residents whose age today is within the band (by birth date; none without one);
    `prefix` leads from another model to the resident ("resident__")."""
    low, high = band
    q = Q(**{f"{prefix}birth_date__lte": _years_before(today, low)})
    if high is not None:
        q &= Q(**{f"{prefix}birth_date__gt": _years_before(today, high + 1)})
    return q


def age_on(birth: dt.date | None, today: dt.date) -> int | None:
    """Age in whole years on `today` (None without a birth date)."""
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


STATUS_ALL = "all"  # the status filter's 全部; empty is the default below


def status_filter(value: str, *, searching: bool) -> str:
    """The resident status a list keeps: the one chosen, every one for 全部, and by default those
    registered here, or everyone when searching (a person who died or moved away is then found
    with that status, not "not found")."""
    if value in Resident.Status.values:
        return value
    if value == STATUS_ALL or searching:
        return ""
    return Resident.Status.ACTIVE


def resident_list(
    *,
    actor: Actor,
    node: GridNode | None = None,
    search: str = "",
    status: str = Resident.Status.ACTIVE,
    tag: str = "",
    gender: str = "",
    age: tuple[int, int | None] | None = None,
    extra: Q | None = None,
) -> QuerySet[Resident]:
    """The residents in scope; `extra` is what registered list filters add (党员)."""
    # Lists show the stored masks: the ciphertext columns are not even read.
    qs = _common_filters(
        Resident.objects.for_actor(actor).select_related("node").defer(*PERSONAL), node, status, tag
    )
    if search:
        qs = qs.filter(resident_search_q(search, actor=actor))
    if gender:
        qs = qs.filter(gender=gender)
    if age is not None:
        qs = qs.filter(age_q(age, today=timezone.localdate()))
    if extra is not None:
        qs = qs.filter(extra)
    return qs.order_by("node__path", "household_id", "id")


def grid_choices(*, actor: Actor) -> QuerySet[GridNode]:
    """The nodes a list's grid filter offers: those the actor is bound to and one level below
    (a township's villages, a village's branches), so that the select stays short at any scale."""
    scope = scope_for(actor)
    levels = [level for role, _, level in scope.bindings if role in NODE_ROLES]
    if scope.superuser:
        top = 1
    elif levels:
        top = min(levels)
    else:
        return GridNode.objects.none()
    return (
        GridNode.objects.for_actor(actor)
        .filter(level__lte=top + 1)
        .only("pk", "name", "level", "path")
        .order_by("path")
    )


def household_list(
    *,
    actor: Actor,
    node: GridNode | None = None,
    search: str = "",
    tag: str = "",
    status: str = Household.Status.ACTIVE,
) -> QuerySet[Household]:
    qs = _common_filters(
        Household.objects.for_actor(actor)
        .select_related("node", "head")
        .defer(*(f"head__{f}" for f in PERSONAL)),
        node,
        status,
        tag,
    )
    if search:
        s = normalize_text(search)
        by_member = Resident.objects.filter(resident_search_q(search, actor=actor)).values(
            "household_id"
        )
        qs = qs.filter(Q(address__contains=s) | Q(number=s) | Q(pk__in=by_member))
    return qs.order_by("node__path", "id")


def node_households(*, actor: Actor, node: GridNode) -> QuerySet[Household]:
    """The registered households on the node itself (not its subtree), heads joined."""
    return (
        Household.objects.for_actor(actor)
        .filter(node=node, status=Household.Status.ACTIVE)
        .select_related("head")
        .only("pk", "number", "address", "head_id", "head__name", "head__status")
        .order_by("number", "id")
    )


def households_numbered(
    *, actor: Actor, number: str, grid: str = "", active_only: bool = True
) -> list[Household]:
    """The households the actor sees with a sheet's 户编号: one, none, or two (the number is not
    unique: ask which). Villages number their households on their own, so a township's user may
    see one number in two villages; the row's 所属网格 (a grid label) then says which, and a
    household outside the grid it names is not the row's, even when it is the only one."""
    if not number.strip():  # a blank cell names no one, not the households without a number
        return []
    qs = Household.objects.for_actor(actor).filter(number=number.strip())
    if active_only:
        qs = qs.filter(status=Household.Status.ACTIVE)
    qs = qs.select_related("node", "head").order_by("pk")
    found = list(qs[:2])
    if found and grid.strip():
        node = GridLabelReader(actor=actor).node(grid)
        if not isinstance(node, str):
            found = list(qs.filter(node__path__under=node.path)[:2])
    return found


def number_not_unique(number: str) -> str:
    """What a row is told when its 户编号 names more than one household (households_numbered)."""
    return gettext(
        "户编号“%(n)s”在您管辖的范围内不止一户（各村各自编号），请在“所属网格”列写明是哪个村的。"
    ) % {"n": clip(number)}


def household_detail(*, actor: Actor, household: Household) -> dict:
    members = list(
        household.members.select_related("node").prefetch_related("tags").order_by("status", "id")
    )
    changes = list(
        HouseholdChange.objects.for_actor(actor)
        .filter(household=household)
        .select_related("resident", "other_household", "created_by")
    )
    return {
        "household": household,
        "members": members,
        "active_members": [m for m in members if m.status == Resident.Status.ACTIVE],
        "changes": changes,
        "tags": list(household.tags.all()),
    }


def household_change_list(
    *,
    actor: Actor,
    node: GridNode | None = None,
    kind: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[HouseholdChange]:
    """人口变动台账: the changes in scope, newest first, filtered by subtree, kind and dates.
    Records first made by an import are no change of the population, and a split is counted once,
    on the household it left (the new household's row tells the same split)."""
    qs = (
        HouseholdChange.objects.for_actor(actor)
        .exclude(kind=HouseholdChange.Kind.IMPORT)
        .exclude(kind=HouseholdChange.Kind.SPLIT, household_id__gt=F("other_household_id"))
        .select_related("household__node", "household__head", "resident", "created_by")
        .defer(*(f"resident__{f}" for f in PERSONAL), *(f"household__head__{f}" for f in PERSONAL))
    )
    if node is not None:
        qs = qs.filter(household__node__path__under=node.path)
    if kind:
        qs = qs.filter(kind=kind)
    if since:
        qs = qs.filter(occurred_on__gte=since)
    if until:
        qs = qs.filter(occurred_on__lte=until)
    return qs.order_by("-occurred_on", "-id")


def household_change_counts(queryset: QuerySet[HouseholdChange]) -> dict[str, int]:
    """{kind: how many} of a change list, in one grouped query."""
    from django.db.models import Count

    return dict(queryset.order_by().values_list("kind").annotate(n=Count("id")))


def household_change_export_rows(*, actor: Actor, queryset: QuerySet) -> Iterator[list]:
    labels = grid_labels(actor=actor)
    kinds = dict(HouseholdChange.Kind.choices)
    gender = dict(Resident.Gender.choices)
    for i, c in enumerate(queryset.iterator(chunk_size=2000), start=1):
        r, h = c.resident, c.household
        yield [
            i,
            c.occurred_on,
            kinds.get(c.kind, c.kind),
            r.name if r else "",
            gender.get(r.gender, "") if r else "",
            r.id_number_masked if r else "",
            h.head.name if h.head else "",
            h.number,
            h.address,
            labels.get(h.node.path, ""),
            c.note,
            c.get_destination_display() if c.destination else "",
            c.get_reason_display() if c.reason else "",
            str(c.created_by) if c.created_by else "",
        ]


def resident_export_rows(*, actor: Actor, queryset: QuerySet) -> Iterator[list]:
    """The rows of a residents sheet as the user sees them: scope, filters, masked fields."""
    from django.db.models import Case, IntegerField, Value, When

    labels = grid_labels(actor=actor)
    qs = (
        queryset.select_related("household", "node")
        .prefetch_related("tags")
        .annotate(
            head_first=Case(
                When(relation="head", then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("node__path", "household_id", "head_first", "id")
    )
    relation = dict(Resident.Relation.choices)
    gender = dict(Resident.Gender.choices)
    for i, r in enumerate(qs.iterator(chunk_size=2000), start=1):
        h = r.household
        yield [
            i,
            r.pk,
            r.name,
            gender.get(r.gender, ""),
            r.ethnicity,
            r.birth_date,
            r.id_number_masked,
            r.phone_masked,
            relation.get(r.relation, ""),
            h.number if h else "",
            h.address if h else "",
            labels.get(r.node.path, ""),
            "、".join(t.name for t in r.tags.all()),
            r.note,
        ]


def household_export_rows(*, actor: Actor, queryset: QuerySet) -> Iterator[list]:
    from django.db.models import Count, Q

    labels = grid_labels(actor=actor)
    qs = (
        queryset.select_related("head", "node")
        .prefetch_related("tags")
        .annotate(active=Count("members", filter=Q(members__status=Resident.Status.ACTIVE)))
        .order_by("node__path", "id")
    )
    gender = dict(Resident.Gender.choices)
    for i, h in enumerate(qs.iterator(chunk_size=2000), start=1):
        head = h.head
        yield [
            i,
            h.pk,
            h.number,
            head.name if head else "",
            gender.get(head.gender, "") if head else "",
            head.id_number_masked if head else "",
            head.phone_masked if head else "",
            h.address,
            labels.get(h.node.path, ""),
            "、".join(t.name for t in h.tags.all()),
            "是" if h.is_central_household else "否",
            h.active,
            h.note,
        ]


def tag_list() -> QuerySet[Tag]:
    """Every tag (标签 are the same for every village)."""
    return Tag.objects.all()


def year_ago(today: dt.date) -> dt.date:
    """The same day a year before (28 February for 29 February): one born after it is under a
    year old, a newborn who never heads a household."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def head_candidates(members: QuerySet[Resident]) -> QuerySet[Resident]:
    """The members that may be offered as a new 户主: not a newborn (born within a year)."""
    return members.exclude(birth_date__gt=year_ago(timezone.localdate()))


def resident_housemates(*, actor: Actor, resident: Resident) -> QuerySet[Resident]:
    """The other active members of a resident's household that the actor may see."""
    return (
        Resident.objects.for_actor(actor)
        .filter(household_id=resident.household_id, status=Resident.Status.ACTIVE)
        .exclude(pk=resident.pk)
    )
