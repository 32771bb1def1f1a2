"""Every write on visits (入户走访), the needs they raise and the follow-ups changes ask for."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_lock, audit_record, audit_record_many, township_key
from xiangzhi.core.files import IMAGE_HEAD, files_undone_on_failure, image_type, stored
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.people.models import Household, HouseholdChange, Resident

from ..actions import PartyAction
from ..models import ContactLink, FollowUp, PartyMember, Visit, VisitNeed, VisitPhoto
from ..selectors.visits import is_contact
from .contacts import contact_links_end_for_household, contact_links_end_for_member
from .posts import post_assignments_end_for_member

PHOTO_MAX_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 4
PHOTO_EXTS = {"jpg", "png"}  # of core.files.image_type: a visit takes JPEG and PNG
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


def _check_visitor(
    actor: Actor, household: Household, member: PartyMember, *, writer: bool
) -> None:
    """Only a cadre of the village names another member as the visitor, an active member of the
    household's village."""
    from .contacts import village_path

    if not writer:
        raise PermissionDenied(gettext("只能记录本人的走访"))
    if (
        member.resident.status != Resident.Status.ACTIVE
        or member.status != PartyMember.Status.ACTIVE
    ):
        raise ValidationError({"member": gettext("该党员已不在册，不能记为走访党员")})
    if village_path(member.resident.node) != village_path(household.node):
        raise ValidationError({"member": gettext("走访党员应为本村（社区）的党员")})


def _photo_names(photos: list[UploadedFile]) -> list[str]:
    """The stored names of the photos, each checked by its size and first bytes; every one is
    checked before any is kept, and the message names the photo that is wrong."""
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            {"photos": gettext("一次走访最多上传%(n)d张照片") % {"n": MAX_PHOTOS}}
        )
    names = []
    for n, photo in enumerate(photos, start=1):
        which = gettext("第%(n)d张照片") % {"n": n} if len(photos) > 1 else gettext("照片")
        if photo.size > PHOTO_MAX_BYTES:
            raise ValidationError({"photos": gettext("%(which)s超过5MB") % {"which": which}})
        kind = image_type(photo.read(IMAGE_HEAD))
        photo.seek(0)
        ext = kind[1] if kind else None
        if ext not in PHOTO_EXTS:
            raise ValidationError(
                {"photos": gettext("%(which)s不是JPG或PNG格式") % {"which": which}}
            )
        names.append(f"{timezone.localdate():%Y%m%d}-{secrets.token_hex(6)}.{ext}")
    return names


def _validate(
    *, visited_on: dt.date | None, met: str, learned: str, needs: list[str], today: dt.date
) -> None:
    errors = {}
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


@files_undone_on_failure
@transaction.atomic
@figures.batched
def visit_record(
    *,
    actor: Actor,
    household: Household,
    visited_on: dt.date | None,
    met: str,
    learned: str,
    needs: list[str] | None = None,
    follow_up: str = "",
    photos: list[UploadedFile] | None = None,
    member: PartyMember | None = None,
    recorded_on: dt.date | None = None,
) -> Visit:
    """Record a visit to a household by its contact member (or a cadre of its village).

    A cadre entering a paper 走访记录 names the member who made the visit (`member`); otherwise
    the visit is the actor's own. `recorded_on` is the day of the entry (today): the demo enters
    its year of visits as the days went, and the two-month back-dating rule runs from that day."""
    writer = scope_for(actor).can_write_path(household.node.path)
    if not writer and not is_contact(actor=actor, household=household):
        raise PermissionDenied(gettext("您不是该户的联系党员，不能记录走访"))
    if household.status != Household.Status.ACTIVE:
        raise ValidationError(gettext("该户已迁出或注销"))
    met, learned, follow_up = met.strip(), learned.strip(), (follow_up or "").strip()
    needs = [n.strip() for n in (needs or []) if n and n.strip()]
    _validate(
        visited_on=visited_on,
        met=met,
        learned=learned,
        needs=needs,
        today=recorded_on or timezone.localdate(),
    )
    photos = [p for p in photos or [] if p]
    names = _photo_names(photos)
    own = _member_of(actor) if member is None or not writer else None
    if member is None:
        member = own
    elif own is None or own.pk != member.pk:
        _check_visitor(actor, household, member, writer=writer)
    _refuse_second_visit([household], member=member, visited_on=visited_on, actor=actor)
    visit = Visit(
        household=household,
        member=member,
        visited_on=visited_on,
        met=met[:100],
        learned=learned[:1000],
        follow_up=follow_up[:200],
        recorded_by=actor,
    )
    visit.save()
    _keep_photos(visit, names, photos)
    VisitNeed.objects.bulk_create(
        [VisitNeed(visit=visit, household=household, text=text) for text in needs]
    )
    _move_last_visit([household.pk], visited_on)
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
            **({"member": member.pk} if member else {}),
            **({"follow_ups_done": done} if done else {}),
            **({"photos": len(photos)} if photos else {}),
        },
    )
    return visit


def _refuse_second_visit(
    households: list[Household], *, member: PartyMember | None, visited_on: dt.date, actor: Actor
) -> None:
    """同一户一天只记一次走访 (per visitor): a second tap, a form sent again or a day's batch
    with a household already entered that day is refused. The households' rows are locked
    first, so two such requests at once are ordered and the second sees the first's visit."""
    ids = sorted(h.pk for h in households)
    if len(set(ids)) != len(ids):
        raise ValidationError(gettext("同一户一天只记一次走访"))
    # The townships' audit heads before the households' rows: a registry import holds them and
    # updates households after them (the other way round, the two deadlocked).
    townships = {township_key(h.node): h.node for h in households}
    for key in sorted(townships):
        audit_lock(townships[key])
    list(Household.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    same = Visit.objects.filter(household_id__in=ids, visited_on=visited_on)
    same = (
        same.filter(member=member)
        if member
        else same.filter(member__isnull=True, recorded_by=actor)
    )
    numbers = sorted(same.values_list("household__number", flat=True).distinct())
    if numbers:
        raise ValidationError(
            gettext("该户这一天已记录过走访，不能重复记录：户编号%(n)s") % {"n": "、".join(numbers)}
        )


def _keep_photos(visit: Visit, names: list[str], photos: list[UploadedFile]) -> None:
    for name, photo in zip(names, photos, strict=True):
        kept = VisitPhoto(visit=visit)
        kept.file.save(name, photo, save=False)
        stored(kept.file)
        kept.save()


@files_undone_on_failure
@transaction.atomic
def visit_photos_add(*, actor: Actor, visit: Visit, photos: list[UploadedFile]) -> list[VisitPhoto]:
    """Photos added to a visit after it was recorded (a phone client sends the visit, then its
    photos): by whoever recorded it or a cadre of the village, within the two months a visit may
    be recorded in, up to the limit of photos per visit. A household that has left the register
    since still takes them: the visit was made, and its record is completed."""
    visit = Visit.objects.select_for_update().select_related("household__node").get(pk=visit.pk)
    writer = scope_for(actor).can_write_path(visit.household.node.path)
    if not writer and visit.recorded_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(gettext("只能为本人记录的走访补传照片"))
    if visit.visited_on < timezone.localdate() - dt.timedelta(days=BACKDATE_DAYS):
        raise ValidationError({"photos": gettext("两个月前的走访不能再补传照片")})
    photos = [p for p in photos if p]
    if not photos:
        raise ValidationError({"photos": gettext("请选择照片")})
    room = MAX_PHOTOS - visit.photos.count()
    if len(photos) > room:
        raise ValidationError(
            {
                "photos": gettext("每次走访最多%(max)d张照片，还可补传%(room)d张")
                % {"max": MAX_PHOTOS, "room": max(room, 0)}
            }
        )
    _keep_photos(visit, _photo_names(photos), photos)
    audit_record(
        actor=actor,
        action=PartyAction.VISIT_PHOTOS_ADD,
        obj=visit,
        changes={"photos": len(photos)},
    )
    return list(visit.photos.order_by("pk"))


def _move_last_visit(households: list[int], visited_on: dt.date) -> None:
    """The links' copy of the last visit: only ever moved forward (a visit recorded late does
    not hide a later one)."""
    ContactLink.objects.filter(household_id__in=households, ended_on__isnull=True).filter(
        Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=visited_on)
    ).update(last_visit_on=visited_on)


@dataclass(frozen=True)
class VisitEntry:
    """One household's visit in a day of visits (visits_record_day)."""

    household: Household
    met: str
    learned: str
    needs: tuple[str, ...] = ()
    follow_up: str = ""


@transaction.atomic
@figures.batched
def visits_record_day(
    *,
    actor: Actor,
    member: PartyMember,
    visited_on: dt.date,
    entries: list[VisitEntry],
    recorded_on: dt.date | None = None,
) -> list[Visit]:
    """Record a member's day of visits at once (a 走访日 entered from the 走访记录本), each
    checked and written as visit_record writes one, with its own audit event."""
    if not entries:
        return []
    today = recorded_on or timezone.localdate()
    scope = scope_for(actor)
    own = _member_of(actor)
    mine = own is not None and own.pk == member.pk
    for e in entries:
        writer = scope.can_write_path(e.household.node.path)
        if not writer and not (mine and is_contact(actor=actor, household=e.household)):
            raise PermissionDenied(gettext("您不是该户的联系党员，不能记录走访"))
        if own is None or own.pk != member.pk:
            _check_visitor(actor, e.household, member, writer=writer)
        if e.household.status != Household.Status.ACTIVE:
            raise ValidationError(gettext("该户已迁出或注销"))
        _validate(
            visited_on=visited_on,
            met=e.met.strip(),
            learned=e.learned.strip(),
            needs=[n.strip() for n in e.needs if n.strip()],
            today=today,
        )
    households = [e.household for e in entries]
    _refuse_second_visit(households, member=member, visited_on=visited_on, actor=actor)
    visits = Visit.objects.bulk_create(
        [
            Visit(
                household=e.household,
                member=member,
                visited_on=visited_on,
                met=e.met.strip()[:100],
                learned=e.learned.strip()[:1000],
                follow_up=e.follow_up.strip()[:200],
                recorded_by=actor,
            )
            for e in entries
        ]
    )
    VisitNeed.objects.bulk_create(
        [
            VisitNeed(visit=v, household=e.household, text=n.strip())
            for v, e in zip(visits, entries, strict=True)
            for n in e.needs
            if n.strip()
        ]
    )
    visit_of = {v.household_id: v for v in visits}
    _move_last_visit(list(visit_of), visited_on)
    done = _close_follow_ups(visit_of, visited_on)
    figures.touch(*{e.household.node for e in entries}, member.resident.node)
    audit_record_many(
        actor=actor,
        entries=[
            {
                "action": PartyAction.VISIT_RECORD,
                "obj": v,
                "changes": {
                    "visited_on": visited_on,
                    "needs": sum(1 for n in e.needs if n.strip()),
                    "member": member.pk,
                    **(
                        {"follow_ups_done": len(done[v.household_id])}
                        if v.household_id in done
                        else {}
                    ),
                },
            }
            for v, e in zip(visits, entries, strict=True)
        ],
    )
    return visits


def _close_follow_ups(visit_of: dict[int, Visit], visited_on: dt.date) -> dict[int, list[int]]:
    """Close the open follow-ups of the visited households whose change came on or before the
    visit; the closed ones' ids per household."""
    due = FollowUp.objects.filter(
        household_id__in=visit_of, done_on__isnull=True, change__occurred_on__lte=visited_on
    ).values_list("pk", "household_id")
    done: dict[int, list[int]] = {}
    for pk, household_id in due:
        done.setdefault(household_id, []).append(pk)
    for household_id, pks in done.items():
        FollowUp.objects.filter(pk__in=pks).update(done_on=visited_on, visit=visit_of[household_id])
    return done


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
            # As a transfer out does: the post lists its holders, and they hold it no more.
            post_assignments_end_for_member(
                actor=actor,
                member=member,
                ended_on=change.occurred_on,
                reason=change.get_kind_display(),
            )
    if household.status != Household.Status.ACTIVE:
        contact_links_end_for_household(
            actor=actor, household=household, reason=household.get_status_display()
        )
        return
    # The deadline runs from the change itself: a birth entered a month late is a month
    # closer to its follow-up, not a fresh fortnight. A change dated ahead of today does not put
    # its follow-up off past today's fortnight, and a visit already made since the change (entered
    # before the change was) is its follow-up, as a visit entered after it would be.
    days = contact_settings_of(household.node).follow_up_days
    since = min(change.occurred_on, timezone.localdate())
    visit = (
        Visit.objects.filter(household=household, visited_on__gte=change.occurred_on)
        .order_by("visited_on", "pk")
        .first()
    )
    FollowUp.objects.get_or_create(
        change=change,
        defaults={
            "household": household,
            "due_on": since + dt.timedelta(days=days),
            **({"done_on": visit.visited_on, "visit": visit} if visit else {}),
        },
    )
    figures.touch(household.node)
