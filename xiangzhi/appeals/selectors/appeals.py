"""Reads of appeals: lists, one appeal's timeline, and the choices its steps offer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.accounts.models import Department, RoleAssignment, User
from xiangzhi.core.roles import WRITE_ROLES
from xiangzhi.core.scope import path_q, scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.party.models import OpinionOutcome, TalkOpinion, VisitNeed
from xiangzhi.people.models import Household

from ..models import OPEN_STATES, Appeal, AppealEvent, State
from ..workflow import Party, parties_of

LIST_RELATED = ("node", "household", "resident", "assignee", "department")
FILTER_STATES = (*State.choices, ("open", "未办结"), ("overdue", "已超期"))


def appeal_list(
    *,
    actor: Actor,
    state: str = "",
    kind: str = "",
    search: str = "",
    node: GridNode | None = None,
    mine: bool = False,
    department: Department | None = None,
) -> QuerySet[Appeal]:
    """The appeals the actor may see, newest first, narrowed by the list's filters."""
    qs = Appeal.objects.for_actor(actor).select_related(*LIST_RELATED)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state == "overdue":
        qs = qs.filter(state__in=OPEN_STATES, overdue=True)
    elif state in State.values:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    if department is not None:
        qs = qs.filter(department=department)
    if mine:
        qs = qs.filter(assignee_id=actor.pk)
    search = (search or "").strip()
    if search:
        number = search.upper().removeprefix("SQ")
        q = Q(text__contains=search) | Q(resident__name__contains=search)
        if number.isdigit():
            q |= Q(pk=int(number))
        qs = qs.filter(q)
    return qs.order_by("-created_at", "-id")


def household_appeals(*, actor: Actor) -> QuerySet[Appeal]:
    """A villager's own household's appeals (their page, 我的诉求)."""
    households = sorted(scope_for(actor).household_ids)
    return (
        Appeal.objects.for_actor(actor)
        .filter(household_id__in=households)
        .select_related("node", "assignee", "department")
        .order_by("-created_at", "-id")
    )


def sees_internal(*, actor: Actor, appeal: Appeal) -> bool:
    """Staff see internal notes; the requester (who sees it through their household) does not."""
    scope = scope_for(actor)
    if scope.superuser or scope.can_read_path(appeal.node.path):
        return True
    return bool(parties_of(actor, appeal) & {Party.ASSIGNEE, Party.HANDLER, Party.TOWNSHIP})


def appeal_timeline(*, actor: Actor, appeal: Appeal) -> QuerySet[AppealEvent]:
    """The appeal's steps in order, without internal notes for the requester."""
    events = AppealEvent.objects.filter(appeal=appeal).select_related(
        "actor", "to_user", "to_department", "to_node"
    )
    if not sees_internal(actor=actor, appeal=appeal):
        events = events.filter(internal=False)
    return events.order_by("at", "id")


def assignee_choices(*, actor: Actor, appeal: Appeal) -> QuerySet[User]:
    """Who in the appeal's village (or above it) can be given it: cadres and grid workers."""
    village = appeal.node.ancestor_path_at(2)
    above = [village[:i] for i in range(5, len(village), 5)]
    bound = RoleAssignment.objects.filter(role__in=WRITE_ROLES, user__is_active=True).filter(
        Q(node__path__under=village) | Q(node__path__in=above)
    )
    return User.objects.filter(pk__in=bound.values("user_id")).order_by("display_name", "pk")


def department_choices() -> QuerySet[Department]:
    return Department.objects.order_by("code")


def transfer_choices(*, actor: Actor, appeal: Appeal) -> QuerySet[GridNode]:
    """The nodes of the actor's scope an appeal can be handed to (down to the hamlet group)."""
    return (
        GridNode.objects.for_actor(actor)
        .filter(level__gte=2, level__lte=4)
        .exclude(pk=appeal.node_id)
        .order_by("path")
    )


def may_read_appeal(*, actor: Actor, pk: int) -> bool:
    return Appeal.objects.for_actor(actor).filter(pk=pk).exists()


def merge_choices(*, actor: Actor, appeal: Appeal) -> QuerySet[Appeal]:
    """Other open appeals of the same village, the newest fifty, that this one may duplicate."""
    village = appeal.node.ancestor_path_at(2)
    newest = (
        Appeal.objects.for_actor(actor)
        .filter(node__path__under=village)
        .exclude(pk=appeal.pk)
        .exclude(state=State.MERGED)
        .order_by("-created_at")
        .values("pk")[:50]
    )
    # Not sliced itself: a form's choice field looks the chosen one up in it (.get()).
    return Appeal.objects.filter(pk__in=Subquery(newest)).order_by("-created_at")


def overdue_count(*, actor: Actor) -> int:
    return Appeal.objects.for_actor(actor).filter(state__in=OPEN_STATES, overdue=True).count()


def due_soon(*, actor: Actor, days: int = 2) -> QuerySet[Appeal]:
    now = timezone.now()
    return Appeal.objects.for_actor(actor).filter(
        state__in=OPEN_STATES,
        overdue=False,
        deadline__gte=now,
        deadline__lt=now + timezone.timedelta(days=days),
    )


def open_needs(*, actor: Actor) -> QuerySet[VisitNeed]:
    """The open needs of visits where the actor writes: each can become an appeal in one tap."""
    scope = scope_for(actor)
    qs = VisitNeed.objects.for_actor(actor).filter(status=VisitNeed.Status.OPEN)
    if not scope.superuser:
        qs = qs.filter(path_q(scope.paths(WRITE_ROLES), "household__node__path"))
    return qs.select_related("household", "visit").order_by("-id")


def awaiting_opinions(*, actor: Actor) -> QuerySet[TalkOpinion]:
    """Hamlet talks' opinions handed on as needs and not yet taken, where the actor writes: each
    can become an appeal in one tap."""
    scope = scope_for(actor)
    qs = TalkOpinion.objects.for_actor(actor).filter(
        status=TalkOpinion.Status.AWAITING, outcome=OpinionOutcome.NEED
    )
    if not scope.superuser:
        qs = qs.filter(path_q(scope.paths(WRITE_ROLES), "talk__node__path"))
    return qs.select_related("talk__node").order_by("-id")


def record_node_choices(*, actor: Actor) -> QuerySet[GridNode]:
    """The nodes a cadre or grid worker may record an appeal on: their writable subtrees, down to
    the hamlet group (or their own deeper node)."""
    scope = scope_for(actor)
    paths = scope.paths(WRITE_ROLES)
    if scope.superuser:
        return GridNode.objects.filter(level__lte=3).order_by("path")
    deepest = max([level for role, _, level in scope.bindings if role in WRITE_ROLES] or [4])
    return (
        GridNode.objects.filter(path_q(paths, "path"))
        .filter(level__lte=max(4, deepest))
        .only("pk", "name", "level", "path")
        .order_by("path")
    )


def household_by_number(
    *, actor: Actor, number: str, node: GridNode | None = None
) -> Household | None:
    """The household with this 户编号 among those the actor may see. Villages number their own
    households: a number two of them use is looked for under `node` (the form's 所在网格), and
    without one to say which raises ValidationError (never the first one found)."""
    qs = Household.objects.for_actor(actor).select_related("node", "head")
    qs = qs.filter(number=number.strip()).order_by("pk")
    found = list(qs[:2])
    if len(found) > 1 and node is not None:
        found = list(qs.filter(node__path__under=node.path)[:2])
    if len(found) > 1:
        raise ValidationError(
            {
                "household_number": gettext(
                    "户编号“%(n)s”在您管辖的范围内不止一户（各村各自编号），"
                    "请在“所在网格”中选择该户所在的村或网格。"
                )
                % {"n": number.strip()}
            }
        )
    return found[0] if found else None


def appeal_by_number(*, actor: Actor, number: str) -> Appeal | None:
    """The appeal a ledger's 编号 names (SQ000123), among those the actor may see."""
    digits = number.strip().upper().removeprefix("SQ")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return None
    return Appeal.objects.for_actor(actor).filter(pk=int(digits)).first()
