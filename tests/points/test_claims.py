"""Claims: applied or recorded, reviewed by someone else, on notice, objected, made final."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xiangzhi.core.models import AuditEvent
from xiangzhi.core.workdays import workday_deadline
from xiangzhi.points.models import PointAccount, PointClaim, PointEntry, PointObjection
from xiangzhi.points.services.claims import (
    claim_approve,
    claim_finalize,
    claim_record,
    claim_record_batch,
    claim_reject,
    claim_submit,
    claim_withdraw,
    claims_finalize_due,
    objection_raise,
)
from xiangzhi.points.services.rules import policy_set, rule_revise
from xiangzhi.points.tasks import finalize_due_claims

from .helpers import end_notice, township_rule, village_rule

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64
S = PointClaim.Status


def photo(name="甲村.jpg", data=JPEG):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def recorded(world, rule=None, **kw):
    rule = rule or village_rule(world)
    values = {"occurred_on": timezone.localdate(), "note": "甲村打扫"}
    values.update(kw)
    return claim_record(actor=world.a.worker, household=world.a.household, rule=rule, **values)


def test_a_villager_applies_for_their_own_household_with_a_photo(world):
    rule = village_rule(world, evidence="photo")
    claim = claim_submit(
        actor=world.a.villager, household=world.a.household, rule=rule, photos=[photo()]
    )
    assert claim.status == S.SUBMITTED and claim.channel == "self" and claim.points == 5
    assert claim.photos.count() == 1 and "甲村" not in claim.photos.get().image.name
    with pytest.raises(ValidationError, match="需要上传照片"):
        claim_submit(actor=world.a.villager, household=world.a.household, rule=rule)


def test_a_villager_applies_for_no_other_household_nor_under_a_rule_closed_to_villagers(world):
    rule = village_rule(world)
    with pytest.raises(PermissionDenied):
        claim_submit(actor=world.a.villager, household=world.a.other_household, rule=rule)
    closed = village_rule(world, title="甲村义务劳动", recorders=["grid_worker"])
    with pytest.raises(ValidationError, match="不能由村民自行申报"):
        claim_submit(actor=world.a.villager, household=world.a.household, rule=closed)
    assert not PointClaim.objects.filter(rule_version__rule=rule).exists()


def test_a_photo_is_checked_by_its_bytes(world):
    rule = village_rule(world, evidence="photo")
    with pytest.raises(ValidationError, match="JPG、PNG"):
        recorded(world, rule=rule, photos=[photo("甲村.jpg", b"MZ not an image")])
    assert not PointClaim.objects.filter(rule_version__rule=rule).exists()


def test_a_rule_of_another_village_does_not_apply(world):
    rule = village_rule(world, v="b")
    with pytest.raises(ValidationError, match="不适用"):
        recorded(world, rule=rule)


def test_who_may_record_follows_the_rule(world):
    rule = village_rule(world, recorders=["village_cadre"])
    with pytest.raises(PermissionDenied, match="按该规则"):
        recorded(world, rule=rule)
    assert claim_record(
        actor=world.a.cadre,
        household=world.a.household,
        rule=rule,
        occurred_on=timezone.localdate(),
    )
    for actor in (world.b.worker, world.a.sibling_worker, world.a.auditor, world.a.group_leader):
        with pytest.raises(PermissionDenied):
            claim_record(
                actor=actor,
                household=world.a.household,
                rule=rule,
                occurred_on=timezone.localdate(),
            )
    assert PointClaim.objects.filter(rule_version__rule=rule).count() == 1


def test_a_batch_records_one_claim_per_household_sharing_the_photos(world):
    rule = township_rule(world)
    claims = claim_record_batch(
        actor=world.a.cadre,
        rule=rule,
        households=[world.a.household, world.a.other_household],
        occurred_on=timezone.localdate(),
        note="甲村清洁日",
        photos=[photo()],
    )
    assert len(claims) == 2 and claims[0].batch == claims[1].batch
    names = {c.photos.get().image.name for c in claims}
    assert len(names) == 1  # one file, two claims
    with pytest.raises(PermissionDenied):
        claim_record_batch(
            actor=world.a.cadre,
            rule=rule,
            households=[world.a.household, world.b.household],
            occurred_on=timezone.localdate(),
        )
    assert PointClaim.objects.filter(rule_version__rule=rule).count() == 2


def test_nobody_approves_their_own_record(world):
    claim = claim_record(
        actor=world.a.cadre,
        household=world.a.household,
        rule=village_rule(world),
        occurred_on=timezone.localdate(),
    )
    with pytest.raises(PermissionDenied, match="自己登记"):
        claim_approve(actor=world.a.cadre, claim=claim)
    claim.refresh_from_db()
    assert claim.status == S.SUBMITTED


def test_only_a_cadre_of_the_village_reviews(world):
    claim = recorded(world)
    for actor in (world.b.cadre, world.a.worker, world.a.auditor, world.a.villager):
        with pytest.raises(PermissionDenied):
            claim_approve(actor=actor, claim=claim)
        with pytest.raises(PermissionDenied):
            claim_reject(actor=actor, claim=claim, reason="不符合")
    claim.refresh_from_db()
    assert claim.status == S.SUBMITTED and claim.reviewed_by is None


def test_an_approval_puts_the_claim_on_notice_for_five_working_days(world):
    claim = claim_approve(actor=world.a.cadre, claim=recorded(world), note="属实")
    assert claim.status == S.ON_NOTICE and claim.reviewed_by == world.a.cadre
    assert claim.notice_until == workday_deadline(claim.notice_from, 5)
    policy_set(actor=world.chief, node=world.township, notice_days=7)
    other = claim_approve(actor=world.a.cadre, claim=recorded(world, rule=township_rule(world)))
    assert other.notice_until == workday_deadline(other.notice_from, 7)


def test_a_cap_per_household_and_period_is_enforced_at_approval(world):
    rule = village_rule(world, points=4, cap_points=10, cap_period="month")
    first, second, third = (recorded(world, rule=rule) for _ in range(3))
    claim_approve(actor=world.a.cadre, claim=first)
    claim_approve(actor=world.a.cadre, claim=second)
    with pytest.raises(ValidationError, match="上限10分"):
        claim_approve(actor=world.a.cadre, claim=third)
    third.refresh_from_db()
    assert third.status == S.SUBMITTED
    last_year = recorded(world, rule=rule, occurred_on=timezone.localdate() - dt.timedelta(days=62))
    assert claim_approve(actor=world.a.cadre, claim=last_year).status == S.ON_NOTICE


def test_an_entry_keeps_the_version_its_claim_was_made_under(world):
    rule = village_rule(world, points=5)
    claim = claim_approve(actor=world.a.cadre, claim=recorded(world, rule=rule))
    rule_revise(actor=world.a.secretary, rule=rule, points=9)
    end_notice(claim)
    entry = claim_finalize(actor=None, claim=claim)
    assert entry.amount == 5 and entry.rule_version.version == 1
    assert PointAccount.objects.get(household=world.a.household).balance == 3 + 5  # 3 before


def test_a_villager_of_the_village_objects_and_the_claim_goes_back_to_review(world):
    claim = claim_record(
        actor=world.a.sibling_worker,
        household=world.a.other_household,
        rule=village_rule(world),
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=world.a.cadre, claim=claim)
    objection = objection_raise(actor=world.a.villager, claim=claim, reason="甲村没有打扫")
    claim.refresh_from_db()
    assert claim.status == S.SUBMITTED and objection.household == world.a.household
    end_notice(claim)
    assert claims_finalize_due() == 0  # not on notice: nothing becomes final
    claim_reject(actor=world.a.secretary, claim=claim, reason="经核实未打扫")
    objection.refresh_from_db()
    assert objection.status == PointObjection.Status.UPHELD
    assert not PointEntry.objects.filter(claim=claim).exists()


def test_a_second_approval_dismisses_the_objection(world):
    claim = claim_record(
        actor=world.a.sibling_worker,
        household=world.a.other_household,
        rule=village_rule(world),
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=world.a.cadre, claim=claim)
    objection = objection_raise(actor=world.a.villager, claim=claim, reason="甲村没有打扫")
    claim_approve(actor=world.a.secretary, claim=claim, note="已核实")
    objection.refresh_from_db()
    assert objection.status == PointObjection.Status.DISMISSED and objection.answer == "已核实"


def test_only_villagers_of_the_same_village_object_and_only_during_notice(world):
    claim = claim_approve(actor=world.a.cadre, claim=recorded(world))
    with pytest.raises(PermissionDenied):
        objection_raise(actor=world.b.villager, claim=claim, reason="乙村的人反对")
    with pytest.raises(ValidationError, match="自己家"):
        objection_raise(actor=world.a.villager, claim=claim, reason="自己反对自己")
    end_notice(claim)
    with pytest.raises(ValidationError, match="不在公示期"):
        objection_raise(actor=world.a.member_user, claim=claim, reason="甲村已过公示期")
    assert not PointObjection.objects.filter(claim=claim).exists()


def test_the_worker_task_makes_due_claims_final_once(world):
    claim = claim_approve(actor=world.a.cadre, claim=recorded(world))
    assert finalize_due_claims.call() == 0  # still on notice
    end_notice(claim)
    assert finalize_due_claims.call() == 1
    assert finalize_due_claims.call() == 0  # idempotent
    claim.refresh_from_db()
    assert claim.status == S.FINAL and claim.entry.amount == 5
    assert PointEntry.objects.filter(claim=claim).count() == 1
    assert AuditEvent.objects.filter(action="points.claim_finalize").count() == 1


def test_a_rejection_needs_a_reason_and_a_withdrawal_is_the_recorders(world):
    claim = recorded(world)
    with pytest.raises(ValidationError, match="理由"):
        claim_reject(actor=world.a.cadre, claim=claim, reason="")
    with pytest.raises(PermissionDenied):
        claim_withdraw(actor=world.a.cadre, claim=claim)
    assert claim_withdraw(actor=world.a.worker, claim=claim).status == S.WITHDRAWN


@pytest.mark.django_db
def test_a_person_split_off_during_the_notice_gets_the_points_and_stops_no_other_claim(world):
    """The claim still names the old household: its account lookup refused the person, every
    decision on it failed and the sweep stopped there for every claim due after it."""
    from tests.factories import make_id
    from xiangzhi.people.models import Resident
    from xiangzhi.people.services import ResidentData, household_split, resident_add
    from xiangzhi.points.services.claims import claims_finalize_due

    a = world.a
    son = resident_add(
        actor=world.admin,
        household=a.household,
        kind="move_in",
        occurred_on=dt.date(2020, 1, 1),
        data=ResidentData(
            name="甲大儿", id_number=make_id(dt.date(1995, 2, 2), "M"), relation="child"
        ),
    )
    rule = village_rule(world, points=3)
    today = timezone.localdate()
    first = claim_record(
        actor=a.worker, household=a.household, resident=son, rule=rule, occurred_on=today
    )
    later = claim_record(actor=a.worker, household=a.household, rule=rule, occurred_on=today)
    claim_approve(actor=a.cadre, claim=first)
    claim_approve(actor=a.cadre, claim=later)
    son = Resident.objects.get(pk=son.pk)
    new_home = household_split(
        actor=a.cadre, household=a.household, members=[son], new_head=son, address="甲村新房1号"
    )
    end_notice(first)
    end_notice(later)
    assert claims_finalize_due() == 2
    statuses = set(
        PointClaim.objects.filter(pk__in=[first.pk, later.pk]).values_list("status", flat=True)
    )
    assert statuses == {PointClaim.Status.FINAL}
    assert new_home.members.filter(pk=son.pk).exists()
    assert PointAccount.objects.get(resident=son).balance == 3
