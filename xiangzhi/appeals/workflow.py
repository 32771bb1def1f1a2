"""The appeal workflow as data: its states, the transitions between them and who may take each.

Services never test states or roles themselves: `appeal_step` (services/steps.py) looks the
transition up here, checks that the appeal is in one of its source states and that the actor
plays one of its parties on this appeal, and moves it to the target state (None: it stays).
A deployment that wants another workflow edits this table; the tests walk every row of it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangzhi.core.roles import Role
from xiangzhi.core.scope import scope_for

from .models import STEP_REPLY, Appeal, AppealRating, State


class Party(enum.StrEnum):
    """Whom a transition is open to, relative to one appeal."""

    REQUESTER = "requester"  # the villager whose household raised it
    HANDLER = "handler"  # a cadre or grid worker bound at or above the appeal's node
    ASSIGNEE = "assignee"  # the person it is assigned to, or staff of its department
    TOWNSHIP = "township"  # a township leader or staff (督办, dispatch to departments)
    SYSTEM = "system"  # the deadline task (no actor)


PARTY_LABELS = {
    Party.REQUESTER: _("诉求人"),
    Party.HANDLER: _("村、网格干部"),
    Party.ASSIGNEE: _("承办人或承办部门"),
    Party.TOWNSHIP: _("镇领导、镇干部"),
    Party.SYSTEM: _("系统"),
}


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state stays (a note, a supervision, an escalation)
    parties: frozenset[Party]
    note_required: bool = False


S = State
ACTIVE = (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)
HANDLING = (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)


def _t(name, label, sources, target, parties, note_required=False) -> Transition:
    return Transition(name, label, tuple(sources), target, frozenset(parties), note_required)


P = Party
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("accept", _("受理"), [S.SUBMITTED], S.ACCEPTED, [P.HANDLER]),
        _t("assign", _("交办"), HANDLING, S.ASSIGNED, [P.HANDLER]),
        _t("dispatch", _("派单到部门"), HANDLING, S.ASSIGNED, [P.HANDLER, P.TOWNSHIP]),
        _t("start", _("开始办理"), [S.ASSIGNED], S.IN_PROGRESS, [P.ASSIGNEE]),
        _t(
            "reply",
            _("答复"),
            HANDLING,  # an inquiry may be answered at once, without assigning it
            S.REPLIED,
            [P.ASSIGNEE, P.HANDLER],
            note_required=True,
        ),
        _t("rate", _("评价"), [S.REPLIED], S.RATED, [P.REQUESTER]),
        _t("follow_up", _("回访评价"), [S.REPLIED], S.RATED, [P.HANDLER, P.TOWNSHIP]),
        _t("close", _("办结"), [S.RATED], S.CLOSED, [P.HANDLER, P.TOWNSHIP]),
        _t(
            "reopen",
            _("重新办理"),
            [S.RATED],
            S.IN_PROGRESS,
            [P.REQUESTER, P.HANDLER],
            note_required=True,
        ),
        _t(
            "transfer",
            _("转办"),
            HANDLING,
            S.ACCEPTED,
            [P.HANDLER, P.ASSIGNEE],
            note_required=True,
        ),
        _t(
            "escalate",
            _("上报上级网格"),
            ACTIVE,
            None,
            [P.HANDLER, P.ASSIGNEE, P.SYSTEM],
            note_required=True,
        ),
        _t("merge", _("合并重复诉求"), [S.SUBMITTED, S.ACCEPTED], S.MERGED, [P.HANDLER]),
        _t(
            "supervise",
            _("督办"),
            [*ACTIVE, S.REPLIED],
            None,
            [P.TOWNSHIP],
            note_required=True,
        ),
        _t(
            "comment",
            _("办理记录"),
            [*ACTIVE, S.REPLIED, S.RATED],
            None,
            [P.HANDLER, P.ASSIGNEE],
            note_required=True,
        ),
    )
}

# Reopening is allowed once, after an unsatisfied rating (a score up to this).
UNSATISFIED_UP_TO = 2
REOPEN_LIMIT = 1

TOWNSHIP_ROLES = {Role.CHIEF_GRID_LEADER, Role.TOWNSHIP_STAFF}


def parties_of(actor, appeal: Appeal) -> set[Party]:
    """The parties the actor plays on this appeal (none for an outsider)."""
    if actor is None:
        return {Party.SYSTEM}
    scope = scope_for(actor)
    path = appeal.node.path
    found: set[Party] = set()
    if scope.superuser:
        return {Party.HANDLER, Party.TOWNSHIP, Party.ASSIGNEE}
    if appeal.household_id and appeal.household_id in scope.household_ids:
        found.add(Party.REQUESTER)
    if scope.can_write_path(path):
        found.add(Party.HANDLER)
    if any(
        role in TOWNSHIP_ROLES and level <= 1 and path.startswith(p)
        for role, p, level in scope.bindings
    ):
        found.add(Party.TOWNSHIP)
    if (appeal.assignee_id and appeal.assignee_id == actor.pk) or (
        scope.in_department(appeal.department_id, appeal.node.path)
    ):
        found.add(Party.ASSIGNEE)
    return found


def refusal(actor, appeal: Appeal, name: str) -> str | None:
    """Why the actor may not take this transition now (a Chinese sentence), or None."""
    transition = TRANSITIONS[name]
    if appeal.state not in transition.sources:
        return str(
            _("诉求当前状态为“%(state)s”，不能%(action)s。")
            % {"state": appeal.get_state_display(), "action": transition.label}
        )
    if not parties_of(actor, appeal) & transition.parties:
        return str(_("您无权对该诉求进行“%(action)s”。") % {"action": transition.label})
    if name == "follow_up" and (refused := follow_up_refusal(actor, appeal)):
        return refused
    if name == "reopen":
        if appeal.reopen_count >= REOPEN_LIMIT:
            return str(_("该诉求已重新办理过一次，不能再次重新办理。"))
        if appeal.score is None or appeal.score > UNSATISFIED_UP_TO:
            return str(_("只有评价为不满意的诉求才能重新办理。"))
    return None


def handler_of(appeal: Appeal) -> int | None:
    """Who handled the appeal: its assignee, else who wrote the last reply (a cadre who answered
    without assigning it, a department's staff)."""
    if appeal.assignee_id:
        return appeal.assignee_id
    replies = appeal.events.filter(action=STEP_REPLY).order_by("-at", "-id")
    return replies.values_list("actor_id", flat=True).first()


def handlers_of(appeal: Appeal) -> set[int]:
    """Everyone whose work a follow-up call checks: the assignee and whoever wrote a reply (a
    village cadre may answer an appeal assigned to a grid worker)."""
    replied = appeal.events.filter(action=STEP_REPLY).values_list("actor_id", flat=True)
    return {pk for pk in (appeal.assignee_id, *replied) if pk is not None}


def follow_up_refusal(actor, appeal: Appeal) -> str | None:
    """Why the actor may not record this appeal's follow-up rating (回访评价): it checks the
    handlers' work (handlers_of), so none of them records it. None: they may."""
    if getattr(actor, "pk", None) in handlers_of(appeal):
        return str(_("回访评价须由办理人以外的人员记录，不能为自己办理的诉求回访。"))
    return None


def allowed(actor, appeal: Appeal) -> list[Transition]:
    """The transitions the actor may take on this appeal now, in the table's order."""
    return [t for t in TRANSITIONS.values() if refusal(actor, appeal, t.name) is None]


def satisfied(score: int | None) -> bool:
    return score is not None and score >= AppealRating.SATISFIED_FROM


def ensure_party(actor, appeal: Appeal, name: str) -> None:
    """Refuse (403) a step the actor plays no part in, before anything else is read."""
    transition = TRANSITIONS[name]
    if not parties_of(actor, appeal) & transition.parties:
        raise PermissionDenied(
            gettext("您无权对该诉求进行“%(action)s”。") % {"action": transition.label}
        )
