"""A villager's account role (村民, 党员) is bound where their household lives (account_create),
so that the village that now keeps the family runs the account: a household moved to another
grid by a registry import, or a person split off into a household on another grid, takes it
along."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import child_moved_in, make_id
from tests.xlsx_helpers import make_sheet
from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.accounts.selectors import account_list
from xiangzhi.accounts.services.org_accounts import account_create, account_password_reset
from xiangzhi.core.models import AuditEvent
from xiangzhi.core.roles import Role
from xiangzhi.people.models import Resident
from xiangzhi.people.services import (
    ResidentData,
    household_register,
    household_split,
)
from xiangzhi.people.services.imports import registry_import

pytestmark = pytest.mark.django_db


def _villager_account(world, resident):
    user, _otp = account_create(
        actor=world.a.secretary, display_name="", role=Role.VILLAGER, person_id=resident.pk
    )
    return user


def _bound(user) -> set[int]:
    return set(RoleAssignment.objects.filter(user=user).values_list("node_id", flat=True))


def test_a_household_moved_to_another_village_by_an_import_takes_its_accounts(world, tmp_path):
    a, b = world.a, world.b
    other = household_register(
        actor=a.cadre,
        node=a.sibling_grid,
        address="甲村搬迁巷1号",
        head=ResidentData(name="甲搬迁", id_number=make_id(dt.date(1980, 4, 4), "M")),
    )
    user = _villager_account(world, other.head)
    assert _bound(user) == {a.sibling_grid.pk}
    sheet = make_sheet(
        tmp_path / "households.xlsx",
        [
            ["户编号", "户主姓名", "户主身份证号", "家庭住址", "所属网格"],
            [
                "",
                other.head.name,
                other.head.id_number,
                other.address,
                f"乙村/乙村第一党支部/乙村枫树屋场党小组/{b.grid.name}",
            ],
        ],
    )
    report = registry_import(actor=world.chief, kind="households", path=sheet)
    assert not report.errors, report.errors
    other.refresh_from_db()
    assert other.node_id == b.grid.pk
    assert _bound(user) == {b.grid.pk}
    # The village that keeps the family now runs the account; the one it left no longer does.
    assert account_list(actor=b.secretary).filter(pk=user.pk).exists()
    assert not account_list(actor=a.secretary).filter(pk=user.pk).exists()
    with pytest.raises(PermissionDenied):
        account_password_reset(actor=a.secretary, user=user)
    assert AuditEvent.objects.filter(
        action="accounts.household_roles_follow", object_id=str(user.pk)
    ).exists()


def test_a_person_split_off_into_a_household_on_another_grid_takes_their_account(world):
    a = world.a
    son = child_moved_in(
        actor=world.admin, household=a.household, name="甲大儿", born=dt.date(1995, 2, 2)
    )
    user = _villager_account(world, son)
    assert _bound(user) == {a.grid.pk}
    son = Resident.objects.get(pk=son.pk)
    household_split(
        actor=a.cadre,
        household=a.household,
        members=[son],
        new_head=son,
        address="甲村新房1号",
        node=a.sibling_grid,
    )
    assert _bound(user) == {a.sibling_grid.pk}
