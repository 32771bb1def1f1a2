"""Every write on visits (入户走访), the needs they raise and the follow-ups changes ask for."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.people.models import Household, HouseholdChange, Resident

from ..actions import PartyAction
from ..models import ContactLink, FollowUp, PartyMember, Visit, VisitNeed
from .contacts import contact_links_end_for_household, contact_links_end_for_member

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# A photo is told by its first bytes, never by its name or the browser's word.
PHOTO_TYPES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
MAX_NEEDS = 5
BACKDATE_DAYS = 60  # a visit is recorded within two months, or it belongs to no ledger
# The household changes that call for a visit (an import's first record is no change).
FOLLOWED = (
    HouseholdChange.Kind.BIRTH,
    HouseholdChange.Kind.DEATH,
    HouseholdChange.Kind.MOVE_IN,
    HouseholdChange.Kind.MOVE_OUT,
    HouseholdChange.Kind.SPLIT,
    HouseholdChange.Kind.HEAD_CHANGE,
)


def _member_of(actor: Actor) -> PartyMember | None:
    """The actor's own party profile, if they are an active party member."""
    if not getattr(actor, "pk", None):
        return None
    return (
        PartyMember.objects.filter(resident__user=actor, resident__status=Resident.Status.ACTIVE)
        .select_related("resident__node")
        .first()
    )


def _is_contact(actor: Actor, household: Household) -> bool:
    """Whether the actor is an active contact member of the household."""
    return ContactLink.objects.filter(
        household=household, ended_on__isnull=True, member__resident__user=actor
    ).exists()


def _photo_name(photo: UploadedFile) -> str:
    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": gettext("照片不能超过5MB")})
    head = photo.read(8)
    photo.seek(0)
    ext = next((e for magic, e in PHOTO_TYPES.items() if head.startswith(magic)), None)
    if ext is None:
        raise ValidationError({"photo": gettext("照片只能是JPG或PNG格式")})
    return f"{timezone.localdate():%Y%m%d}-{secrets.token_hex(6)}.{ext}"


def _validate(*, visited_on: dt.date | None, met: str, learned: str, needs: list[str]) -> None:
    errors = {}
    today = timezone.localdate()
    if visited_on is None:
        errors["visited_on"] = gettext("请填写走访日期")
    elif visited_on > today:
        errors["visited_on"] = gettext("走访日期不能晚于今天")
    elif visited_on < today - dt.timedelta(days=BACKDATE_DAYS):
        errors["visited_on"] = gettext("只能补记两个月内的走访")
    if not met:
        errors["met"] = gettext("请填写见到的人")
    if not learned:
        errors["learned"] = gettext("请填写了解到的情况")
    if len(needs) > MAX_NEEDS:
        errors["needs"] = gettext("一次走访最多记录5条诉求")
    elif any(len(n) > 300 for n in needs):
        errors["needs"] = gettext("每条诉求不超过300字")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    household: Household,
    visited_on: dt.date | None,
    met: str,
    learned: str,
    needs: list[str] | None = None,
    follow_up: str = "",
    photo: UploadedFile | None = None,
) -> Visit:
    """Record a visit to a household by its contact member (or a cadre of its village)."""
    contact = _is_contact(actor, household)
    if not contact and not scope_for(actor).can_write_path(household.node.path):
        raise PermissionDenied(gettext("您不是该户的联系党员，不能记录走访"))
    if household.status != Household.Status.ACTIVE:
        raise ValidationError(gettext("该户已迁出或注销"))
    met, learned, follow_up = met.strip(), learned.strip(), (follow_up or "").strip()
    needs = [n.strip() for n in (needs or []) if n and n.strip()]
    _validate(visited_on=visited_on, met=met, learned=learned, needs=needs)
    member = _member_of(actor)
    visit = Visit(
        household=household,
        member=member,
        visited_on=visited_on,
        met=met[:100],
        learned=learned[:1000],
        follow_up=follow_up[:200],
        recorded_by=actor,
    )
    if photo:
        visit.photo.save(_photo_name(photo), photo, save=False)
    visit.save()
    VisitNeed.objects.bulk_create(
        [VisitNeed(visit=visit, household=household, text=text) for text in needs]
    )
    # The links' copy of the last visit: only ever moved forward (a visit recorded late does
    # not hide a later one).
    ContactLink.objects.filter(household=household, ended_on__isnull=True).filter(
        Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=visited_on)
    ).update(last_visit_on=visited_on)
    done = FollowUp.objects.filter(
        household=household, done_on__isnull=True, change__occurred_on__lte=visited_on
    ).update(done_on=visited_on, visit=visit)
    figures.touch(household.node, *([member.resident.node] if member else []))
    audit_record(
        actor=actor,
        action=PartyAction.VISIT_RECORD,
        obj=visit,
        changes={
            "visited_on": visited_on,
            "needs": len(needs),
            **({"follow_ups_done": done} if done else {}),
            **({"photo": True} if photo else {}),
        },
    )
    return visit


def _check_need_write(actor: Actor, need: VisitNeed) -> None:
    if not scope_for(actor).can_write_path(need.household.node.path):
        raise PermissionDenied(gettext("您对该诉求只有查看权限"))


@transaction.atomic
def need_take(*, actor: Actor, need: VisitNeed, by: str) -> VisitNeed:
    """Hand an open need over to whoever takes it (an appeal: by="appeal:123", a department)."""
    _check_need_write(actor, need)
    need = VisitNeed.objects.select_for_update().select_related("household__node").get(pk=need.pk)
    if need.status != VisitNeed.Status.OPEN:
        raise ValidationError(gettext("该诉求已转办或办结"))
    by = (by or "").strip()
    if not by:
        raise ValidationError({"by": gettext("请填写转办去向")})
    need.status, need.taken_by = VisitNeed.Status.TAKEN, by[:100]
    need.save(update_fields=["status", "taken_by", "updated_at"])
    audit_record(actor=actor, action=PartyAction.NEED_TAKE, obj=need, changes={"taken_by": by})
    return need


@transaction.atomic
def need_close(*, actor: Actor, need: VisitNeed, outcome: str) -> VisitNeed:
    """Close a need answered on the spot or settled in the village."""
    _check_need_write(actor, need)
    need = VisitNeed.objects.select_for_update().select_related("household__node").get(pk=need.pk)
    if need.status == VisitNeed.Status.CLOSED:
        raise ValidationError(gettext("该诉求已办结"))
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": gettext("请填写办理结果")})
    need.status, need.outcome = VisitNeed.Status.CLOSED, outcome[:300]
    need.save(update_fields=["status", "outcome", "updated_at"])
    audit_record(actor=actor, action=PartyAction.NEED_CLOSE, obj=need, changes={"outcome": outcome})
    return need


def household_changed(change: HouseholdChange) -> None:
    """The registry's hook (a saved HouseholdChange, inside its service's transaction): the
    household is flagged for a follow-up visit; a member who died or moved away, and a household
    that left the register, lose their links at once."""
    from ..selectors.coverage import contact_settings_of

    if change.kind not in FOLLOWED:
        return
    actor = change.created_by
    household = change.household
    if change.kind in (HouseholdChange.Kind.DEATH, HouseholdChange.Kind.MOVE_OUT):
        member = PartyMember.objects.filter(resident_id=change.resident_id).first()
        if member is not None:
            contact_links_end_for_member(
                actor=actor, member=member, reason=change.get_kind_display()
            )
    if household.status != Household.Status.ACTIVE:
        contact_links_end_for_household(
            actor=actor, household=household, reason=household.get_status_display()
        )
        return
    days = contact_settings_of(household.node).follow_up_days
    FollowUp.objects.get_or_create(
        change=change,
        defaults={
            "household": household,
            "due_on": timezone.localdate() + dt.timedelta(days=days),
        },
    )
    figures.touch(household.node)
