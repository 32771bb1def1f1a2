"""Claims: a villager's application or a recorded claim, review, public notice, objections,
and the end of the notice period, when the points enter the ledger."""

from __future__ import annotations

import datetime
import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiangzhi.core.audit import audit_lock, audit_record
from xiangzhi.core.registry import households_of
from xiangzhi.core.roles import CADRE_ROLES, Role
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.people.models import Household, Resident

from ..actions import PointsAction
from ..models import (
    CapPeriod,
    Evidence,
    PointAccount,
    PointClaim,
    PointClaimPhoto,
    PointEntry,
    PointObjection,
    PointPolicy,
    PointRule,
)
from .ledger import account_for, balance_floor, entry_post, policy_for
from .photos import photos_read

Status = PointClaim.Status
# Who records a claim in a rule's name, by the key its `recorders` lists.
RECORDER_ROLES = {"village_cadre": CADRE_ROLES, "grid_worker": {Role.GRID_WORKER}}

logger = logging.getLogger(__name__)


def rule_applies(rule: PointRule, household: Household) -> bool:
    """A rule applies to a household of its township (or village) while it is in force."""
    return rule.is_active and household.node.path.startswith(rule.node.path)


NOTE_MAX = 500  # a claim's note (说明), shown on its page and the notice board
REVIEW_NOTE_MAX = 200  # a review's note or reason (PointClaim.review_note)


def _review_note(text: str, field: str) -> str:
    """A reviewer's note or reason as kept; one longer than its column is refused, not cut."""
    text = (text or "").strip()
    if len(text) > REVIEW_NOTE_MAX:
        raise ValidationError({field: _("审核意见不能超过%(n)d字。") % {"n": REVIEW_NOTE_MAX}})
    return text


def _check_claim(
    rule: PointRule, household: Household, resident: Resident | None, note: str, photos: list
) -> None:
    if not rule_applies(rule, household):
        raise ValidationError({"rule": _("该规则不适用于这一户")})
    if household.status != Household.Status.ACTIVE:
        raise ValidationError({"household": _("该户已不在册")})
    if resident is not None and resident.household_id != household.pk:
        raise ValidationError({"resident": _("该居民不属于此户")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("说明不能超过%(n)d字。") % {"n": NOTE_MAX}})
    needs_note = rule.evidence in (Evidence.NOTE, Evidence.PHOTO_AND_NOTE)
    needs_photo = rule.evidence in (Evidence.PHOTO, Evidence.PHOTO_AND_NOTE)
    if needs_note and not note.strip():
        raise ValidationError({"note": _("该规则需要文字说明")})
    if needs_photo and not photos:
        raise ValidationError({"photos": _("该规则需要上传照片")})


def _create(
    *,
    actor: Actor,
    rule: PointRule,
    household: Household,
    resident: Resident | None,
    occurred_on: datetime.date,
    note: str,
    channel: str,
    files: list,
    batch: str = "",
    is_synthetic: bool = False,
) -> PointClaim:
    claim = PointClaim.objects.create(
        rule_version=rule.versions.get(version=rule.version),
        household=household,
        resident=resident,
        node_id=household.node_id,
        points=rule.points,
        occurred_on=occurred_on,
        note=note.strip(),
        channel=channel,
        batch=batch,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        is_synthetic=is_synthetic,
    )
    for f in files:
        photo = PointClaimPhoto(claim=claim)
        photo.image.save(f.name, f, save=True)
    return claim


def _check_date(occurred_on: datetime.date) -> None:
    today = timezone.localdate()
    if occurred_on > today:
        raise ValidationError({"occurred_on": _("发生日期不能晚于今天")})
    if occurred_on < today - datetime.timedelta(days=366):
        raise ValidationError({"occurred_on": _("发生日期不能早于一年前")})


def claim_submit(
    *,
    actor: Actor,
    household: Household,
    rule: PointRule,
    note: str = "",
    photos: list | tuple = (),
    resident: Resident | None = None,
) -> PointClaim:
    """A villager applies for their own household (the phone page's three taps)."""
    if household.pk not in households_of(actor):
        raise PermissionDenied(_("只能为自己家申报积分"))
    if "villager" not in rule.recorders:
        raise ValidationError({"rule": _("该规则不能由村民自行申报，请联系网格员登记")})
    files = photos_read(photos)
    _check_claim(rule, household, resident, note, files)
    with transaction.atomic():
        claim = _create(
            actor=actor,
            rule=rule,
            household=household,
            resident=resident,
            occurred_on=timezone.localdate(),
            note=note,
            channel=PointClaim.Channel.SELF,
            files=files,
        )
        audit_record(
            actor=actor,
            action=PointsAction.CLAIM_SUBMIT,
            obj=claim,
            changes={"rule_version": claim.rule_version_id, "points": claim.points},
        )
    return claim


def may_record(*, actor: Actor, rule: PointRule, household: Household) -> bool:
    """A grid worker or a cadre of the household's grid, as the rule's `recorders` allow."""
    scope = scope_for(actor)
    if scope.superuser:
        return True
    return any(
        scope.allows(RECORDER_ROLES[key], household.node.path)
        for key in rule.recorders
        if key in RECORDER_ROLES
    )


def claim_record(
    *,
    actor: Actor,
    household: Household,
    rule: PointRule,
    occurred_on: datetime.date,
    note: str = "",
    photos: list | tuple = (),
    resident: Resident | None = None,
    is_synthetic: bool = False,
) -> PointClaim:
    """A grid worker or cadre records a claim for a household or one of its people."""
    if not scope_for(actor).can_write_path(household.node.path):
        raise PermissionDenied(_("您不能为该户登记积分"))
    if not may_record(actor=actor, rule=rule, household=household):
        raise PermissionDenied(_("按该规则，您不能登记积分"))
    _check_date(occurred_on)
    files = photos_read(photos)
    _check_claim(rule, household, resident, note, files)
    with transaction.atomic():
        claim = _create(
            actor=actor,
            rule=rule,
            household=household,
            resident=resident,
            occurred_on=occurred_on,
            note=note,
            channel=PointClaim.Channel.RECORDED,
            files=files,
            is_synthetic=is_synthetic,
        )
        audit_record(
            actor=actor,
            action=PointsAction.CLAIM_RECORD,
            obj=claim,
            changes={"rule_version": claim.rule_version_id, "points": claim.points},
        )
    return claim


def claim_record_batch(
    *,
    actor: Actor,
    rule: PointRule,
    households: list[Household],
    occurred_on: datetime.date,
    note: str = "",
    photos: list | tuple = (),
    is_synthetic: bool = False,
) -> list[PointClaim]:
    """One activity (a clean-up day): one rule, one claim per household, the photos shared."""
    if not households:
        raise ValidationError({"households": _("请选择参加活动的户")})
    if len({h.pk for h in households}) != len(households):
        raise ValidationError({"households": _("同一户不能重复登记")})
    _check_date(occurred_on)
    scope = scope_for(actor)
    for household in households:
        if not scope.can_write_path(household.node.path) or not may_record(
            actor=actor, rule=rule, household=household
        ):
            raise PermissionDenied(_("您不能为%(number)s户登记积分") % {"number": household.number})
    files = photos_read(photos)
    for household in households:
        _check_claim(rule, household, None, note, files)
    batch = uuid.uuid4().hex[:16]
    claims = []
    with transaction.atomic():
        for household in households:
            claim = _create(
                actor=actor,
                rule=rule,
                household=household,
                resident=None,
                occurred_on=occurred_on,
                note=note,
                channel=PointClaim.Channel.BATCH,
                files=[],
                batch=batch,
                is_synthetic=is_synthetic,
            )
            claims.append(claim)
        _share_photos(claims, files)
        for claim in claims:
            audit_record(
                actor=actor,
                action=PointsAction.CLAIM_BATCH,
                obj=claim,
                changes={"rule_version": claim.rule_version_id, "batch": batch},
            )
    return claims


def _share_photos(claims: list[PointClaim], files: list) -> None:
    """Store each photo once; every claim of the activity points to the same file."""
    for f in files:
        first = PointClaimPhoto(claim=claims[0])
        first.image.save(f.name, f, save=True)
        PointClaimPhoto.objects.bulk_create(
            PointClaimPhoto(claim=c, image=first.image.name) for c in claims[1:]
        )


def may_review(*, actor: Actor, claim: PointClaim) -> bool:
    """A cadre of the claim's grid reviews it; never its recorder, never for their own home."""
    if not scope_for(actor).allows(CADRE_ROLES, claim.node.path):
        return False
    return claim.recorded_by_id != actor.pk and claim.household_id not in households_of(actor)


def _period_bounds(day: datetime.date, period: str) -> tuple[datetime.date, datetime.date]:
    if period == CapPeriod.YEAR:
        return day.replace(month=1, day=1), day.replace(year=day.year + 1, month=1, day=1)
    if period == CapPeriod.QUARTER:
        first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    else:
        first = day.replace(day=1)
    months = 3 if period == CapPeriod.QUARTER else 1
    month = first.month - 1 + months
    return first, first.replace(year=first.year + month // 12, month=month % 12 + 1)


def _check_cap(claim: PointClaim) -> None:
    """Refuse an approval past the rule's cap for the household in the claim's period."""
    version = claim.rule_version
    if not version.cap_points or claim.points < 0:
        return
    start, end = _period_bounds(claim.occurred_on, version.cap_period)
    taken = (
        PointClaim.objects.filter(
            household_id=claim.household_id,
            rule_version__rule_id=version.rule_id,
            status__in=[Status.ON_NOTICE, Status.FINAL],
            occurred_on__gte=start,
            occurred_on__lt=end,
            points__gt=0,
        )
        .exclude(pk=claim.pk)
        .exclude(entry__reversed_by__isnull=False)  # corrected away: no longer counts
        .aggregate(n=Sum("points"))["n"]
        or 0
    )
    if taken + claim.points > version.cap_points:
        raise ValidationError(
            {
                "claim": _(
                    "超过该规则每户%(period)s上限%(cap)d分：本期已有%(taken)d分，本次%(points)d分。"
                )
                % {
                    "period": version.get_cap_period_display(),
                    "cap": version.cap_points,
                    "taken": taken,
                    "points": claim.points,
                }
            }
        )


def notice_days(claim: PointClaim) -> int:
    policy = policy_for(claim.node)
    return policy.notice_days if policy else PointPolicy._meta.get_field("notice_days").default


def claim_account(claim: PointClaim) -> PointAccount:
    """The account a claim's points go to: its household's, or its person's own (one per
    person, wherever they live now: split off during the notice, the claim still names the old
    household, whose cap it counted under)."""
    if claim.resident_id is None:
        return account_for(household=claim.household)
    own = PointAccount.objects.filter(resident_id=claim.resident_id).first()
    return own or account_for(household=claim.resident.household, resident=claim.resident)


def _lock_accounts(claim: PointClaim) -> PointAccount:
    """Lock what a claim's decision touches, before the claim itself, in one order for every
    writer of claims (review, rejection, finalisation: the other way round, a rejection and the
    notice's end deadlocked): the township's audit head (an import holds it before any account
    it posts to), the household's own account row (resident None, whoever the claim is for),
    which orders the approvals of one household (the cap, counted per household, is counted
    after the other approval has committed), then a person's own account. Return the account
    the claim's points go to (claim_account), as read under its lock."""
    audit_lock(claim.household.node_id)
    accounts = [account_for(household=claim.household)]
    if claim.resident_id is not None:
        accounts.append(claim_account(claim))
    return [PointAccount.objects.select_for_update().get(pk=a.pk) for a in accounts][-1]


def _lock_for_review(actor: Actor, claim: PointClaim, *, statuses: tuple) -> PointClaim:
    if not may_review(actor=actor, claim=claim):
        raise PermissionDenied(_("不能审核自己登记的或自己家的积分"))
    _lock_accounts(claim)
    locked = (
        PointClaim.objects.select_for_update(of=("self",))
        .select_related("rule_version", "node")
        .get(pk=claim.pk)
    )
    if locked.status not in statuses:
        raise ValidationError({"claim": _("该申报当前不能审核")})
    return locked


def claim_approve(*, actor: Actor, claim: PointClaim, note: str = "") -> PointClaim:
    """Approve a claim: it goes on public notice for the township's working days."""
    from xiangzhi.core.workdays import workday_deadline

    note = _review_note(note, "note")
    with transaction.atomic():
        claim = _lock_for_review(actor, claim, statuses=(Status.SUBMITTED,))
        _check_cap(claim)
        _check_floor(claim)
        now = timezone.now()
        claim.status = Status.ON_NOTICE
        claim.reviewed_by = actor
        claim.reviewed_at = now
        claim.review_note = note
        claim.notice_from = now
        claim.notice_until = workday_deadline(now, notice_days(claim))
        claim.save()
        dismissed = _answer_objections(actor, claim, PointObjection.Status.DISMISSED, note)
        audit_record(
            actor=actor,
            action=PointsAction.CLAIM_APPROVE,
            obj=claim,
            changes={
                "status": [Status.SUBMITTED, Status.ON_NOTICE],
                "notice_until": claim.notice_until,
                "objections": dismissed,
            },
        )
        until = claim.notice_until
        transaction.on_commit(lambda: _schedule(until))
    return claim


def _check_floor(claim: PointClaim) -> None:
    """Refuse to put on notice a deduction the balance cannot bear today (the balance may still
    fall during the notice: claim_finalize then sends the claim back to review)."""
    if claim.points >= 0:
        return
    account = claim_account(claim)
    lowest = balance_floor(account, PointEntry.Source.CLAIM)
    if account.balance + claim.points < lowest:
        raise ValidationError(
            {
                "claim": _("余额不足：当前余额%(balance)d分，扣%(points)d分后将低于%(floor)d分。")
                % {"balance": account.balance, "points": -claim.points, "floor": lowest}
            }
        )


def _schedule(at: datetime.datetime) -> None:
    from ..tasks import schedule_finalize

    schedule_finalize(at)


def _answer_objections(actor: Actor, claim: PointClaim, status: str, note: str) -> list[int]:
    """Answer the claim's open objections with the review's outcome; their ids."""
    open_ = list(
        claim.objections.filter(status=PointObjection.Status.OPEN).values_list("pk", flat=True)
    )
    if open_:
        PointObjection.objects.filter(pk__in=open_).update(
            status=status,
            answer=note.strip()[:200],
            answered_by=actor,
            answered_at=timezone.now(),
        )
    return open_


def claim_reject(*, actor: Actor, claim: PointClaim, reason: str) -> PointClaim:
    """Reject a claim with a reason (an objection it had is then upheld)."""
    reason = _review_note(reason, "reason")
    if not reason:
        raise ValidationError({"reason": _("请填写不通过的理由")})
    with transaction.atomic():
        claim = _lock_for_review(actor, claim, statuses=(Status.SUBMITTED, Status.ON_NOTICE))
        old = claim.status
        claim.status = Status.REJECTED
        claim.reviewed_by = actor
        claim.reviewed_at = timezone.now()
        claim.review_note = reason
        claim.notice_until = None
        claim.save()
        upheld = _answer_objections(actor, claim, PointObjection.Status.UPHELD, reason)
        audit_record(
            actor=actor,
            action=PointsAction.CLAIM_REJECT,
            obj=claim,
            changes={"status": [old, Status.REJECTED], "reason": reason, "objections": upheld},
        )
    return claim


def claim_withdraw(*, actor: Actor, claim: PointClaim) -> PointClaim:
    """The recorder (or the applying villager) withdraws a claim not yet reviewed."""
    with transaction.atomic():
        claim = PointClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.recorded_by_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("只能撤回自己登记的申报"))
        if claim.status != Status.SUBMITTED:
            raise ValidationError({"claim": _("已审核的申报不能撤回")})
        claim.status = Status.WITHDRAWN
        claim.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action=PointsAction.CLAIM_WITHDRAW,
            obj=claim,
            changes={"status": [Status.SUBMITTED, Status.WITHDRAWN]},
        )
    return claim


def objection_raise(*, actor: Actor, claim: PointClaim, reason: str) -> PointObjection:
    """A villager of the claim's village objects during its notice; it goes back to review."""
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("请写明异议理由（至少4个字）")})
    mine = Household.objects.filter(pk__in=households_of(actor)).select_related("node")
    own = [h for h in mine if h.node.path.startswith(claim_village(claim))]
    if not own:
        raise PermissionDenied(_("只有本村村民可以对公示提出异议"))
    household = own[0]
    with transaction.atomic():
        claim = PointClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != Status.ON_NOTICE or claim.notice_until <= timezone.now():
            raise ValidationError({"claim": _("该申报不在公示期内，不能提出异议")})
        if claim.household_id == household.pk and claim.points >= 0:
            # A household may not object to its own points, but may to its own deduction: it is
            # the one most concerned.
            raise ValidationError({"claim": _("不能对自己家的申报提出异议")})
        if PointObjection.objects.filter(claim=claim, household=household).exists():
            # Each objection starts the notice again: one household cannot hold a claim off
            # for ever; others may still object.
            raise ValidationError({"claim": _("您家已对这条申报提过异议，村里已重新审核")})
        objection = PointObjection.objects.create(
            claim=claim, household=household, raised_by=actor, reason=reason
        )
        claim.status = Status.SUBMITTED
        claim.notice_until = None
        claim.save(update_fields=["status", "notice_until", "updated_at"])
        audit_record(
            actor=actor,
            action=PointsAction.OBJECTION_RAISE,
            obj=objection,
            changes={"claim": claim.pk, "reason": reason},
        )
    return objection


def claim_village(claim: PointClaim) -> str:
    """The path of the claim's village (its level-2 ancestor), which sees its notice."""
    from xiangzhi.core.paths import SEGMENT

    node = claim.node
    return node.path[: len(node.path) - max(node.level - 2, 0) * SEGMENT]


def claim_finalize(*, actor: Actor | None, claim: PointClaim) -> PointEntry | None:
    """Make a claim final once its notice ended unopposed: post its ledger entry. Idempotent:
    a claim already final, or not yet due, is left as it is (None)."""
    with transaction.atomic():
        account = _lock_accounts(claim)
        claim = (
            PointClaim.objects.select_for_update(of=("self",))
            .select_related("rule_version", "household", "resident")
            .get(pk=claim.pk)
        )
        if claim.status != Status.ON_NOTICE or claim.notice_until > timezone.now():
            return None
        try:
            with transaction.atomic():
                entry = entry_post(
                    actor=None,
                    account=account,
                    amount=claim.points,
                    reason=claim.rule_version.title,
                    source=PointEntry.Source.CLAIM,
                    rule_version=claim.rule_version,
                    claim=claim,
                    occurred_on=claim.occurred_on,
                    audit=False,
                    is_synthetic=claim.is_synthetic,
                )
        except ValidationError as error:
            # A deduction the balance can no longer bear: back to review with the reason, so
            # that a cadre decides, and the claims due after it still become final.
            _return_to_review(actor, claim, error)
            return None
        claim.status = Status.FINAL
        claim.final_at = timezone.now()
        claim.save(update_fields=["status", "final_at", "updated_at"])
        audit_record(
            actor=actor,
            action=PointsAction.CLAIM_FINALIZE,
            obj=claim,
            changes={"status": [Status.ON_NOTICE, Status.FINAL], "entry": entry.pk},
        )
    return entry


def _return_to_review(actor: Actor | None, claim: PointClaim, error: ValidationError) -> None:
    why = "；".join(str(m) for m in error.messages)
    claim.status = Status.SUBMITTED
    claim.notice_until = None
    claim.review_note = (_("公示期满未能生效，已退回审核：%(why)s") % {"why": why})[:200]
    claim.save(update_fields=["status", "notice_until", "review_note", "updated_at"])
    audit_record(
        actor=actor,
        action=PointsAction.CLAIM_RETURN,
        obj=claim,
        changes={"status": [Status.ON_NOTICE, Status.SUBMITTED], "reason": why},
    )


def claims_finalize_due(*, now: datetime.datetime | None = None, limit: int = 5000) -> int:
    """Finalise every claim whose notice has ended (the worker's task); how many."""
    due = PointClaim.objects.filter(
        status=Status.ON_NOTICE, notice_until__lte=now or timezone.now()
    ).order_by("notice_until", "pk")
    done = 0
    for claim in due[:limit]:
        try:
            if claim_finalize(actor=None, claim=claim) is not None:
                done += 1
        except Exception:  # noqa: BLE001 - one claim that cannot be finalised stops no other
            logger.exception("points claim %s could not be finalised", claim.pk)
    return done
