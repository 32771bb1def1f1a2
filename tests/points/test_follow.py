"""A person split off into a new household (分户) takes their own points account along (core's
residents_moved): the new household's people see it and its cap counts their claims, while the
entries they earned in the old household stay that household's history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import UserFactory, child_moved_in
from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.core.models import AuditEvent
from xiangzhi.core.roles import Role
from xiangzhi.people.models import Resident
from xiangzhi.people.services import household_split
from xiangzhi.points.models import PointAccount, PointClaim, PointEntry, PointPeriodTotal
from xiangzhi.points.selectors import entry_list
from xiangzhi.points.services.claims import claim_approve, claim_finalize, claim_record

from .helpers import end_notice, village_rule

S = PointClaim.Status


def _son(world):
    """An adult son of 甲村's household, with his own villager account."""
    a = world.a
    son = child_moved_in(
        actor=world.admin, household=a.household, name="甲大儿", born=dt.date(1995, 2, 2)
    )
    user = UserFactory(username="a_son", display_name="甲村大儿")
    RoleAssignment.objects.create(user=user, role=Role.VILLAGER)
    Resident.objects.filter(pk=son.pk).update(user=user)
    return Resident.objects.get(pk=son.pk), user


def _final(world, rule, son=None):
    a = world.a
    claim = claim_record(
        actor=a.worker,
        household=a.household,
        resident=son,
        rule=rule,
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=a.cadre, claim=claim)
    end_notice(claim)
    return claim_finalize(actor=None, claim=claim)


def _split(world, son):
    a = world.a
    return household_split(
        actor=a.cadre,
        household=a.household,
        members=[son],
        new_head=son,
        address="甲村新房1号",
        node=a.sibling_grid,
    )


@pytest.mark.django_db
def test_a_person_split_off_takes_their_own_account_and_the_old_history_stays(world):
    a = world.a
    son, son_user = _son(world)
    earned = _final(world, village_rule(world, points=3), son=son)
    account = PointAccount.objects.get(resident=son)
    assert account.household_id == a.household.pk

    new = _split(world, son)

    account.refresh_from_db()
    assert (account.household_id, account.node_id) == (new.pk, a.sibling_grid.pk)
    assert account.balance == 3
    totals = PointPeriodTotal.objects.filter(account=account)
    assert totals.exists() and set(totals.values_list("household_id", "node_id")) == {
        (new.pk, a.sibling_grid.pk)
    }
    # The entry earned in the old household is its history: unchanged, still listed there.
    earned = PointEntry.objects.get(pk=earned.pk)
    assert (earned.household_id, earned.node_id) == (a.household.pk, a.grid.pk)
    assert entry_list(actor=a.cadre, household=a.household).filter(pk=earned.pk).exists()
    event = AuditEvent.objects.get(action="points.account_follow")
    assert event.object_id == str(account.pk)
    assert event.changes["household"] == [a.household.pk, new.pk]

    # Points he earns from now on are his new household's: he sees them, the old one does not.
    son.refresh_from_db()
    later = claim_record(
        actor=world.admin,
        household=new,
        resident=son,
        rule=village_rule(world, title="甲村义务劳动", points=2),
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=a.cadre, claim=later)
    end_notice(later)
    entry = claim_finalize(actor=None, claim=later)
    assert (entry.household_id, entry.node_id) == (new.pk, a.sibling_grid.pk)
    assert entry_list(actor=son_user).filter(pk=entry.pk).exists()
    assert not entry_list(actor=a.villager).filter(pk=entry.pk).exists()
    assert PointAccount.objects.for_actor(son_user).filter(pk=account.pk).exists()
    assert not PointAccount.objects.for_actor(a.villager).filter(pk=account.pk).exists()


@pytest.mark.django_db
def test_a_claim_not_yet_reviewed_follows_the_person_and_counts_under_the_new_cap(world):
    """The cap is per household: the old household's points this month do not refuse the
    split-off son's claim, which is now his new household's."""
    a = world.a
    son, _user = _son(world)
    rule = village_rule(world, points=5, cap_points=5, cap_period="month")
    _final(world, rule)  # the old household's own 5 points this month: its cap is reached
    pending = claim_record(
        actor=a.worker,
        household=a.household,
        resident=son,
        rule=rule,
        occurred_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="超过"):
        claim_approve(actor=a.cadre, claim=pending)

    new = _split(world, son)

    pending.refresh_from_db()
    assert (pending.household_id, pending.node_id) == (new.pk, a.sibling_grid.pk)
    assert AuditEvent.objects.filter(
        action="points.claim_follow", object_id=str(pending.pk)
    ).exists()
    claim_approve(actor=a.cadre, claim=pending)
    assert PointClaim.objects.get(pk=pending.pk).status == S.ON_NOTICE


@pytest.mark.django_db
def test_a_claim_on_notice_stays_where_it_was_counted_and_published(world):
    a = world.a
    son, _user = _son(world)
    claim = claim_record(
        actor=a.worker,
        household=a.household,
        resident=son,
        rule=village_rule(world, points=4),
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=a.cadre, claim=claim)
    new = _split(world, son)
    claim.refresh_from_db()
    assert (claim.household_id, claim.node_id) == (a.household.pk, a.grid.pk)
    end_notice(claim)
    entry = claim_finalize(actor=None, claim=claim)
    # The points are his, in his own account, which now lives in the new household.
    assert entry.account.resident_id == son.pk
    assert (entry.household_id, entry.node_id) == (new.pk, a.sibling_grid.pk)


@pytest.mark.django_db
def test_a_split_of_people_without_points_writes_no_points_event(world):
    son, _user = _son(world)
    _split(world, son)
    assert not AuditEvent.objects.filter(
        action__in=["points.account_follow", "points.claim_follow"]
    ).exists()


@pytest.mark.django_db
def test_a_household_moved_by_an_import_takes_its_claims_not_yet_reviewed(world, tmp_path):
    """The claim's node is its household's (scope, review, the notice board): a claim left on
    the old grid was hidden from the new grid's worker and shown to the old one's."""
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.people.services.imports import registry_import

    a = world.a
    rule = village_rule(world, points=2)
    pending = claim_record(
        actor=a.worker, household=a.household, rule=rule, occurred_on=timezone.localdate()
    )
    published = claim_record(
        actor=a.worker, household=a.household, rule=rule, occurred_on=timezone.localdate()
    )
    claim_approve(actor=a.cadre, claim=published)
    grid = "甲村/甲村第一党支部/甲村枫树屋场党小组/"
    sheet = make_sheet(
        tmp_path / "households.xlsx",
        [
            ["户编号", "户主姓名", "户主身份证号", "家庭住址", "所属网格"],
            [
                a.household.number,
                a.head.name,
                a.head.id_number,
                a.household.address,
                grid + a.sibling_grid.name,
            ],
        ],
    )
    report = registry_import(actor=a.cadre, kind="households", path=sheet)
    assert not report.errors and report.updated == 1
    pending.refresh_from_db()
    published.refresh_from_db()
    assert pending.node_id == a.sibling_grid.pk
    assert PointClaim.objects.for_actor(a.sibling_worker).filter(pk=pending.pk).exists()
    assert not PointClaim.objects.for_actor(a.worker).filter(pk=pending.pk).exists()
    # On notice: it stays on the board it was published on.
    assert published.node_id == a.grid.pk
