"""Every step of an appeal's workflow after its submission, through one checked path.

`appeal_step` looks the transition up in workflow.TRANSITIONS, locks the appeal row, refuses
a step the state or the actor's part does not allow, applies the step's own changes, writes the
timeline event and the audit event and keeps the figures, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.accounts.models import Department
from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record
from xiangzhi.core.roles import WRITE_ROLES
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..actions import AppealAction
from ..deadlines import deadline_for
from ..models import Appeal, AppealEvent, Source, State
from ..workflow import REOPEN_LIMIT, TRANSITIONS, UNSATISFIED_UP_TO, ensure_party
from .notices import notify_assignee, notify_handlers

MAX_NOTE = 2000


def _check(actor: Actor, appeal: Appeal, name: str, note: str) -> None:
    transition = TRANSITIONS[name]
    ensure_party(actor, appeal, name)
    if appeal.state not in transition.sources:
        raise ValidationError(
            gettext("诉求当前状态为“%(state)s”，不能%(action)s。")
            % {"state": appeal.get_state_display(), "action": transition.label}
        )
    if transition.note_required and not note:
        raise ValidationError(
            {"note": gettext("请填写%(action)s说明。") % {"action": transition.label}}
        )
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": gettext("说明不能超过2000字。")})


@transaction.atomic
@figures.batched
def appeal_step(
    *,
    actor: Actor,
    appeal: Appeal,
    name: str,
    note: str = "",
    internal: bool = False,
    at: dt.datetime | None = None,
    apply: Callable[[Appeal], dict] | None = None,
    event_fields: dict | Callable[[Appeal], dict] | None = None,
) -> Appeal:
    """Take the transition `name` on the appeal; `apply` makes the step's own changes on the
    locked row (and validates them) and returns what the audit event records of them."""
    note = (note or "").strip()
    # The row alone is locked, without a join: PostgreSQL rechecks a locked row that another
    # step changed meanwhile against the join's old rows, and a moved appeal would vanish.
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    _check(actor, locked, name, note)
    transition = TRANSITIONS[name]
    old_node = locked.node
    from_state = locked.state
    at = at or timezone.now()
    changes = apply(locked) if apply else {}
    if transition.target is not None:
        locked.state = transition.target
    locked.save()
    if callable(event_fields):
        event_fields = event_fields(locked)
    AppealEvent.objects.create(
        appeal=locked,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at,
        action=name,
        from_state=from_state,
        to_state=locked.state,
        note=note,
        internal=internal,
        **(event_fields or {}),
    )
    figures.touch(*{old_node.pk: old_node, locked.node_id: locked.node}.values())
    audit_record(
        actor=actor,
        action=AppealAction(f"appeals.appeal_{name}"),
        obj=locked,
        changes={"state": [from_state, locked.state], **changes, "note": note[:200]},
    )
    appeal.__dict__.update(locked.__dict__)
    appeal._state = locked._state
    return appeal


def appeal_accept(
    *, actor: Actor, appeal: Appeal, note: str = "", at: dt.datetime | None = None
) -> Appeal:
    def apply(a: Appeal) -> dict:
        a.accepted_at = at or timezone.now()
        return {}

    return appeal_step(actor=actor, appeal=appeal, name="accept", note=note, at=at, apply=apply)


def _may_handle(user: Actor, node: GridNode) -> bool:
    """Whether a user may be given an appeal of this node: a write role in its village (or above
    it), so that they can see and answer it."""
    if not user.is_active:
        return False
    scope = scope_for(user)
    if scope.superuser:
        return True
    village = node.ancestor_path_at(2)
    return any(
        role in WRITE_ROLES and (path.startswith(village) or village.startswith(path))
        for role, path, _ in scope.bindings
    )


def appeal_assign(
    *,
    actor: Actor,
    appeal: Appeal,
    assignee: Actor | None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Appeal:
    """Give the appeal to a person in the village (a grid worker, a cadre) to handle."""

    def apply(a: Appeal) -> dict:
        if assignee is None or not _may_handle(assignee, a.node):
            raise ValidationError({"assignee": gettext("承办人须是本村的干部或网格员。")})
        a.assignee, a.department = assignee, None
        a.accepted_at = a.accepted_at or at or timezone.now()
        return {"assignee": assignee.pk}

    done = appeal_step(
        actor=actor,
        appeal=appeal,
        name="assign",
        note=note,
        at=at,
        apply=apply,
        event_fields={"to_user": assignee},
    )
    notify_assignee(done, gettext("您有新交办的诉求"), "appeal.assigned")
    return done


def appeal_dispatch(
    *,
    actor: Actor,
    appeal: Appeal,
    department: Department | None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Appeal:
    """Dispatch the appeal to a township office or department (派单)."""

    def apply(a: Appeal) -> dict:
        if department is None:
            raise ValidationError({"department": gettext("请选择承办部门。")})
        a.department, a.assignee = department, None
        a.accepted_at = a.accepted_at or at or timezone.now()
        return {"department": department.pk}

    done = appeal_step(
        actor=actor,
        appeal=appeal,
        name="dispatch",
        note=note,
        at=at,
        apply=apply,
        event_fields={"to_department": department},
    )
    notify_assignee(done, gettext("有派到本部门的诉求"), "appeal.dispatched")
    return done


def appeal_start(
    *, actor: Actor, appeal: Appeal, note: str = "", at: dt.datetime | None = None
) -> Appeal:
    return appeal_step(actor=actor, appeal=appeal, name="start", note=note, at=at)


def appeal_reply(
    *, actor: Actor, appeal: Appeal, note: str, at: dt.datetime | None = None
) -> Appeal:
    """Answer the requester: what was done. Replied after the deadline counts as overdue."""

    def apply(a: Appeal) -> dict:
        a.replied_at = at or timezone.now()
        a.reply = (note or "").strip()
        if a.deadline and a.replied_at > a.deadline:
            a.overdue = True
        return {"overdue": a.overdue}

    return appeal_step(actor=actor, appeal=appeal, name="reply", note=note, at=at, apply=apply)


def appeal_close(
    *, actor: Actor, appeal: Appeal, note: str = "", at: dt.datetime | None = None
) -> Appeal:
    def apply(a: Appeal) -> dict:
        a.closed_at = at or timezone.now()
        return {}

    return appeal_step(actor=actor, appeal=appeal, name="close", note=note, at=at, apply=apply)


def appeal_reopen(
    *, actor: Actor, appeal: Appeal, note: str, at: dt.datetime | None = None
) -> Appeal:
    """Handle it again, once, after an unsatisfied rating."""

    def apply(a: Appeal) -> dict:
        if a.reopen_count >= REOPEN_LIMIT:
            raise ValidationError(gettext("该诉求已重新办理过一次，不能再次重新办理。"))
        if a.score is None or a.score > UNSATISFIED_UP_TO:
            raise ValidationError(gettext("只有评价为不满意的诉求才能重新办理。"))
        a.reopen_count += 1
        a.replied_at = None
        a.reply = ""
        a.score = None
        # Handled again: a new period from today (a rating may come after the first deadline),
        # and a reminder again before it.
        request = getattr(a, "menu_request", None) if a.source == Source.SERVICE_MENU else None
        days = request.offering.days if request is not None else None
        a.deadline = deadline_for(a.kind, at or timezone.now(), days)
        a.reminded_at = None
        # A late first reply stays in this step's record; the new period starts on time, so the
        # sweep reminds and marks it again and the overdue board shows it only when it is late.
        was_overdue, a.overdue = a.overdue, False
        return {
            "reopen_count": a.reopen_count,
            "deadline": a.deadline.isoformat(),
            "overdue_before": was_overdue,
        }

    done = appeal_step(actor=actor, appeal=appeal, name="reopen", note=note, at=at, apply=apply)
    notify_assignee(done, gettext("群众不满意，诉求需重新办理"), "appeal.reopened")
    return done


def appeal_transfer(
    *, actor: Actor, appeal: Appeal, node: GridNode | None, note: str, at: dt.datetime | None = None
) -> Appeal:
    """Hand the appeal to another grid node (a sibling grid, another village): it waits there
    to be assigned again."""

    def apply(a: Appeal) -> dict:
        if node is None:
            raise ValidationError({"node": gettext("请选择转办到的网格。")})
        if node.pk == a.node_id:
            raise ValidationError({"node": gettext("转办到的网格不能是当前网格。")})
        if not scope_for(actor).can_read_path(node.path) and not _same_township(node, a.node):
            raise ValidationError({"node": gettext("只能转办到本镇的网格。")})
        a.node, a.assignee, a.department = node, None, None
        return {"node": node.pk}

    done = appeal_step(
        actor=actor,
        appeal=appeal,
        name="transfer",
        note=note,
        at=at,
        apply=apply,
        event_fields={"to_node": node},
    )
    notify_handlers(done, gettext("有转办来的诉求"), "appeal.transferred")
    return done


def _same_township(a: GridNode, b: GridNode) -> bool:
    return a.ancestor_path_at(1) == b.ancestor_path_at(1)


def appeal_escalate(
    *, actor: Actor, appeal: Appeal, note: str, at: dt.datetime | None = None
) -> Appeal:
    """Raise the appeal to the parent grid node, which then answers for it (上报)."""

    def apply(a: Appeal) -> dict:
        parent = a.node.parent
        if parent is None:
            raise ValidationError(gettext("该诉求已在最上级网格，不能再上报。"))
        a.node = parent
        a.escalated_at = at or timezone.now()
        return {"node": parent.pk}

    done = appeal_step(
        actor=actor,
        appeal=appeal,
        name="escalate",
        note=note,
        at=at,
        apply=apply,
        event_fields=lambda a: {"to_node": a.node},
    )
    notify_handlers(done, gettext("有下级上报的诉求"), "appeal.escalated")
    return done


def appeal_merge(
    *,
    actor: Actor,
    appeal: Appeal,
    into: Appeal | None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Appeal:
    """Close a duplicate into the appeal that is handled (the requester follows that one)."""

    def apply(a: Appeal) -> dict:
        if into is None or into.pk == a.pk:
            raise ValidationError({"into": gettext("请选择要合并到的诉求。")})
        if into.state == State.MERGED:
            raise ValidationError({"into": gettext("不能合并到已合并的诉求。")})
        if not scope_for(actor).can_read_path(into.node.path):
            raise ValidationError({"into": gettext("只能合并到您管辖范围内的诉求。")})
        a.duplicate_of = into
        a.closed_at = at or timezone.now()
        return {"duplicate_of": into.pk}

    return appeal_step(actor=actor, appeal=appeal, name="merge", note=note, at=at, apply=apply)


def appeal_supervise(
    *, actor: Actor, appeal: Appeal, note: str, at: dt.datetime | None = None
) -> Appeal:
    """The township supervises (督办) the appeal: a flag and a note its handler sees."""

    def apply(a: Appeal) -> dict:
        a.supervised = True
        a.supervision_note = (note or "").strip()[:500]
        a.supervised_at = at or timezone.now()
        return {"supervised": True}

    done = appeal_step(actor=actor, appeal=appeal, name="supervise", note=note, at=at, apply=apply)
    notify_assignee(done, gettext("镇里督办了一件诉求"), "appeal.supervised")
    return done


def appeal_comment(
    *,
    actor: Actor,
    appeal: Appeal,
    note: str,
    internal: bool = True,
    at: dt.datetime | None = None,
) -> Appeal:
    """Add a line to the timeline: an internal note for staff, or a progress note for all."""
    return appeal_step(
        actor=actor, appeal=appeal, name="comment", note=note, internal=internal, at=at
    )
