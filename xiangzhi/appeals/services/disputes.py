"""Disputes (矛盾纠纷): register, record mediation sessions, settle or fail, follow up."""

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
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Resident

from ..actions_extra import AppealServiceAction as Action
from ..models.disputes import Dispute, DisputeParty, MediationSession
from .petition_notices import dispute_notice

State = Dispute.State


def may_handle_dispute(*, actor: Actor, dispute: Dispute) -> bool:
    """Cadres of its node, or the staff of the department it was sent to (司法 mostly)."""
    scope = scope_for(actor)
    return scope.can_write_path(dispute.node.path) or scope.in_department(
        dispute.department_id, dispute.node.path
    )


def _check(actor: Actor, dispute: Dispute, *allowed: str) -> None:
    if not may_handle_dispute(actor=actor, dispute=dispute):
        raise PermissionDenied(gettext("您对该纠纷只有查看权限。"))
    if dispute.state not in allowed:
        raise ValidationError(
            gettext("该纠纷当前为“%(state)s”，不能进行此操作。")
            % {"state": dispute.get_state_display()}
        )


def _date(value: dt.date | None, field: str, label: str) -> dict:
    if value is None:
        return {field: gettext("请填写%(label)s。") % {"label": label}}
    if value > timezone.localdate():
        return {field: gettext("%(label)s不能晚于今天。") % {"label": label}}
    return {}


@transaction.atomic
@figures.batched
def dispute_register(
    *,
    actor: Actor,
    node: GridNode | None,
    title: str,
    category: str,
    description: str,
    parties: list[tuple[str, Resident | None, str]],
    department: Department | None = None,
    registered_on: dt.date | None = None,
) -> Dispute:
    """Register a dispute with its parties: (name, resident or None, what they claim)."""
    if node is not None and not scope_for(actor).can_write_path(node.path):
        raise PermissionDenied(gettext("您不能在该网格登记纠纷。"))
    title, description = (title or "").strip(), (description or "").strip()
    registered_on = registered_on or timezone.localdate()
    errors = _date(registered_on, "registered_on", gettext("登记日期"))
    if node is None:
        errors["node"] = gettext("请选择纠纷所在网格。")
    if not title:
        errors["title"] = gettext("请填写纠纷名称。")
    if category not in Dispute.Category.values:
        errors["category"] = gettext("请选择纠纷类别。")
    if not description:
        errors["description"] = gettext("请填写纠纷经过。")
    named = [(n.strip(), r, s.strip()) for n, r, s in parties if (n or "").strip()]
    if len(named) < 2:
        errors["parties"] = gettext("纠纷至少有两方当事人。")
    if errors:
        raise ValidationError(errors)
    dispute = Dispute.objects.create(
        node=node,
        title=title,
        category=category,
        description=description,
        department=department,
        registered_by=actor,
        registered_on=registered_on,
    )
    DisputeParty.objects.bulk_create(
        DisputeParty(dispute=dispute, name=n, resident=r, side=s) for n, r, s in named
    )
    figures.touch(node)
    dispute_notice(dispute, gettext("有新登记的矛盾纠纷"), "dispute.registered")
    audit_record(
        actor=actor,
        action=Action.DISPUTE_REGISTER,
        obj=dispute,
        changes={"title": title, "category": category, "parties": len(named)},
    )
    return dispute


@transaction.atomic
def dispute_session_record(
    *,
    actor: Actor,
    dispute: Dispute,
    held_on: dt.date | None,
    mediators: str,
    notes: str,
    place: str = "",
) -> MediationSession:
    """Record one mediation session of an open dispute."""
    dispute = Dispute.objects.select_for_update().select_related("node").get(pk=dispute.pk)
    _check(actor, dispute, State.OPEN)
    errors = _date(held_on, "held_on", gettext("调解日期"))
    if held_on and held_on < dispute.registered_on:
        errors["held_on"] = gettext("调解日期不能早于纠纷登记日期。")
    if not (mediators or "").strip():
        errors["mediators"] = gettext("请填写调解人。")
    if not (notes or "").strip():
        errors["notes"] = gettext("请填写调解记录。")
    if errors:
        raise ValidationError(errors)
    session = MediationSession.objects.create(
        dispute=dispute,
        held_on=held_on,
        place=(place or "").strip(),
        mediators=mediators.strip(),
        notes=notes.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=Action.DISPUTE_SESSION_RECORD,
        obj=session,
        changes={"held_on": held_on, "mediators": session.mediators},
    )
    return session


def _finish_mediation(
    *, actor: Actor, dispute: Dispute, settled: bool, text: str, on: dt.date | None
) -> Dispute:
    dispute = Dispute.objects.select_for_update().select_related("node").get(pk=dispute.pk)
    _check(actor, dispute, State.OPEN)
    errors = _date(on, "agreed_on", gettext("日期"))
    if not dispute.sessions.exists():
        errors["agreement"] = gettext("请先记录至少一次调解。")
    elif not (text or "").strip():
        errors["agreement"] = (
            gettext("请填写调解协议的内容。") if settled else gettext("请说明调解不成的原因。")
        )
    if errors:
        raise ValidationError(errors)
    dispute.state = State.SETTLED if settled else State.FAILED
    dispute.agreement, dispute.agreed_on = text.strip(), on
    dispute.save(update_fields=["state", "agreement", "agreed_on"])
    figures.touch(dispute.node)
    audit_record(
        actor=actor,
        action=Action.DISPUTE_SETTLE if settled else Action.DISPUTE_FAIL,
        obj=dispute,
        changes={"state": dispute.state, "agreed_on": on},
    )
    return dispute


@transaction.atomic
@figures.batched
def dispute_settle(
    *, actor: Actor, dispute: Dispute, agreement: str, agreed_on: dt.date | None
) -> Dispute:
    """The parties agreed: record the agreement."""
    return _finish_mediation(
        actor=actor, dispute=dispute, settled=True, text=agreement, on=agreed_on
    )


@transaction.atomic
@figures.batched
def dispute_fail(*, actor: Actor, dispute: Dispute, reason: str, on: dt.date | None) -> Dispute:
    """Mediation failed: record why (the parties are told of other channels)."""
    return _finish_mediation(actor=actor, dispute=dispute, settled=False, text=reason, on=on)


@transaction.atomic
def dispute_follow_up(
    *, actor: Actor, dispute: Dispute, follow_up: str, followed_up_on: dt.date | None
) -> Dispute:
    """The follow-up visit after an agreement (or a failure) closes the dispute."""
    dispute = Dispute.objects.select_for_update().select_related("node").get(pk=dispute.pk)
    _check(actor, dispute, State.SETTLED, State.FAILED)
    errors = _date(followed_up_on, "followed_up_on", gettext("回访日期"))
    if followed_up_on and dispute.agreed_on and followed_up_on < dispute.agreed_on:
        errors["followed_up_on"] = gettext("回访日期不能早于协议日期。")
    if not (follow_up or "").strip():
        errors["follow_up"] = gettext("请填写回访情况。")
    if errors:
        raise ValidationError(errors)
    dispute.state = State.CLOSED
    dispute.follow_up, dispute.followed_up_on = follow_up.strip(), followed_up_on
    dispute.save(update_fields=["state", "follow_up", "followed_up_on"])
    audit_record(
        actor=actor,
        action=Action.DISPUTE_FOLLOW_UP,
        obj=dispute,
        changes={"followed_up_on": followed_up_on},
    )
    return dispute
