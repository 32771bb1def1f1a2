"""Petitions (信访) within the limits of 信访工作条例: decide within 15 days of receipt, finish
within 60 days of acceptance, one extension of at most 30 days. The services set the limits
and refuse any step that breaks them; a decision or a finish past its limit is refused too,
unless the note explains the delay (the regulation's 说明理由), so the delay stays on record.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.accounts.models import Department
from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.core.workdays import add_workdays
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Resident

from ..actions_extra import AppealServiceAction as Action
from ..models.petitions import (
    ACCEPT_DAYS,
    FINISH_DAYS,
    MAX_EXTENSION_DAYS,
    Petition,
)
from .petition_notices import petition_notice

State = Petition.State
LATE_NOTE = 10  # a late step's note must say why in at least this many characters


def may_handle_petition(*, actor: Actor, petition: Petition) -> bool:
    """The department it is assigned to, or cadres of its node."""
    scope = scope_for(actor)
    return scope.in_department(petition.department_id, petition.node.path) or (
        scope.can_write_path(petition.node.path)
    )


def _locked(actor: Actor, petition: Petition, *allowed: str) -> Petition:
    petition = Petition.objects.select_for_update().select_related("node").get(pk=petition.pk)
    if not may_handle_petition(actor=actor, petition=petition):
        raise PermissionDenied(gettext("您对该信访事项只有查看权限。"))
    if petition.state not in allowed:
        raise ValidationError(
            gettext("该信访事项当前为“%(state)s”，不能进行此操作。")
            % {"state": petition.get_state_display()}
        )
    return petition


def _step_date(
    on: dt.date | None, *, after: dt.date, limit: dt.date | None, note: str, field: str
) -> dict:
    today = timezone.localdate()
    if on is None:
        return {field: gettext("请填写日期。")}
    if on > today:
        return {field: gettext("日期不能晚于今天。")}
    if on < after:
        return {field: gettext("日期不能早于%(d)s。") % {"d": after.isoformat()}}
    if limit and on > limit and len((note or "").strip()) < LATE_NOTE:
        return {
            "note": gettext("已超过法定期限（%(d)s），请在意见中说明逾期原因（至少10个字）。")
            % {"d": limit.isoformat()}
        }
    return {}


@transaction.atomic
@figures.batched
def petition_register(
    *,
    actor: Actor,
    node: GridNode | None,
    petitioner: str,
    channel: str,
    subject: str,
    content: str,
    department: Department | None,
    received_on: dt.date | None,
    resident: Resident | None = None,
) -> Petition:
    """Register a petition received on a date; the decision is due 15 days later."""
    if node is not None and not scope_for(actor).can_write_path(node.path):
        raise PermissionDenied(gettext("您不能在该网格登记信访事项。"))
    errors = {}
    if node is None:
        errors["node"] = gettext("请选择信访人所属网格。")
    if not (petitioner or "").strip():
        errors["petitioner"] = gettext("请填写信访人。")
    if channel not in Petition.Channel.values:
        errors["channel"] = gettext("请选择信访形式。")
    if not (subject or "").strip():
        errors["subject"] = gettext("请填写信访事项。")
    if not (content or "").strip():
        errors["content"] = gettext("请填写主要诉求。")
    if department is None:
        errors["department"] = gettext("请选择办理部门。")
    if received_on is None:
        errors["received_on"] = gettext("请填写收到日期。")
    elif received_on > timezone.localdate():
        errors["received_on"] = gettext("收到日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    petition = Petition.objects.create(
        node=node,
        petitioner=petitioner.strip(),
        resident=resident,
        channel=channel,
        subject=subject.strip(),
        content=content.strip(),
        department=department,
        received_on=received_on,
        decide_by=limit_after(received_on, ACCEPT_DAYS),
        registered_by=actor,
    )
    figures.touch(node)
    petition_notice(petition, gettext("有新登记的信访事项"), "petition.registered")
    audit_record(
        actor=actor,
        action=Action.PETITION_REGISTER,
        obj=petition,
        changes={"subject": petition.subject, "department": department.pk},
    )
    return petition


def limit_after(start: dt.date, days: int) -> dt.date:
    """The last day of a limit of `days` calendar days from `start` (信访工作条例 counts days
    as the calendar does); a last day that is a rest day or a statutory holiday moves to the
    next working day (民法典 第二百零三条), on the Chinese calendar with its make-up workdays."""
    return add_workdays(start + dt.timedelta(days=days), 0)


@transaction.atomic
def petition_accept(
    *, actor: Actor, petition: Petition, decided_on: dt.date | None, note: str = ""
) -> Petition:
    """Accept: the petition must be finished within 60 days of this date."""
    petition = _locked(actor, petition, State.RECEIVED)
    errors = _step_date(
        decided_on,
        after=petition.received_on,
        limit=petition.decide_by,
        note=note,
        field="decided_on",
    )
    if errors:
        raise ValidationError(errors)
    petition.state = State.ACCEPTED
    petition.decided_on, petition.decision_note = decided_on, (note or "").strip()
    petition.finish_by = limit_after(decided_on, FINISH_DAYS)
    petition.save(update_fields=["state", "decided_on", "decision_note", "finish_by"])
    audit_record(
        actor=actor,
        action=Action.PETITION_ACCEPT,
        obj=petition,
        changes={"decided_on": decided_on, "finish_by": petition.finish_by},
    )
    return petition


@transaction.atomic
@figures.batched
def petition_refuse(
    *, actor: Actor, petition: Petition, decided_on: dt.date | None, note: str
) -> Petition:
    """Refuse to accept, with the reason the petitioner is told (and where to turn instead)."""
    petition = _locked(actor, petition, State.RECEIVED)
    errors = _step_date(
        decided_on,
        after=petition.received_on,
        limit=petition.decide_by,
        note=note,
        field="decided_on",
    )
    if not (note or "").strip():
        errors["note"] = gettext("请写明不予受理的理由。")
    if errors:
        raise ValidationError(errors)
    petition.state = State.REFUSED
    petition.decided_on, petition.decision_note = decided_on, note.strip()
    petition.save(update_fields=["state", "decided_on", "decision_note"])
    figures.touch(petition.node)
    audit_record(
        actor=actor, action=Action.PETITION_REFUSE, obj=petition, changes={"decided_on": decided_on}
    )
    return petition


@transaction.atomic
def petition_extend(*, actor: Actor, petition: Petition, days: int | None, reason: str) -> Petition:
    """Extend the finish limit once, by at most 30 days, before it has passed."""
    petition = _locked(actor, petition, State.ACCEPTED)
    errors = {}
    if petition.extended_days:
        errors["days"] = gettext("信访事项只能延期一次。")
    elif not days or not 1 <= days <= MAX_EXTENSION_DAYS:
        errors["days"] = gettext("延期天数应为1至30天。")
    elif timezone.localdate() > petition.finish_by:
        errors["days"] = gettext("办结期限已过，不能再延期。")
    if not (reason or "").strip():
        errors["reason"] = gettext("请填写延期理由。")
    if errors:
        raise ValidationError(errors)
    petition.extended_days = days
    petition.extension_reason = reason.strip()
    petition.finish_by = limit_after(petition.decided_on, FINISH_DAYS + days)
    petition.save(update_fields=["extended_days", "extension_reason", "finish_by"])
    petition_notice(petition, gettext("信访事项已延期"), "petition.extended")
    audit_record(
        actor=actor,
        action=Action.PETITION_EXTEND,
        obj=petition,
        changes={"days": days, "finish_by": petition.finish_by},
    )
    return petition


@transaction.atomic
@figures.batched
def petition_finish(
    *, actor: Actor, petition: Petition, finished_on: dt.date | None, result: str, note: str = ""
) -> Petition:
    """Finish with the result told to the petitioner; past the limit only with a reason."""
    petition = _locked(actor, petition, State.ACCEPTED)
    errors = _step_date(
        finished_on,
        after=petition.decided_on,
        limit=petition.finish_by,
        note=note or "",
        field="finished_on",
    )
    if not (result or "").strip():
        errors["result"] = gettext("请填写办理结果。")
    if errors:
        raise ValidationError(errors)
    petition.state = State.FINISHED
    petition.finished_on, petition.result = finished_on, result.strip()
    if note:
        petition.decision_note = f"{petition.decision_note}\n{note.strip()}".strip()
    petition.save(update_fields=["state", "finished_on", "result", "decision_note"])
    figures.touch(petition.node)
    audit_record(
        actor=actor,
        action=Action.PETITION_FINISH,
        obj=petition,
        changes={"finished_on": finished_on},
    )
    return petition
