"""A registry import holds its townships' audit heads from its first batch to its commit and
updates households after taking them; linking one of its households to a contact member, or
recording a visit to it, run meanwhile, must wait for it in that order, not lock the household
first and then wait for the head (PostgreSQL broke the deadlock by aborting one of the two)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import make_id
from tests.pg_locks import import_while
from tests.xlsx_helpers import make_sheet
from xiangzhi.core.sheets.engine import SheetImport
from xiangzhi.party.models import ContactLink, Visit
from xiangzhi.party.services import contact_link_add, contact_link_end, visit_record
from xiangzhi.people.models import Household
from xiangzhi.people.services.imports import registry_import

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has one writer: nothing waits crosswise"
    ),
]

GRID = "甲村/甲村第一党支部/甲村枫树屋场党小组/"


def _link(world, household):
    return contact_link_add(actor=world.a.cadre, household=household, member=world.a.party_member)


def _visit(world, household):
    Visit.objects.filter(household=household).update(visited_on=dt.date(2026, 1, 2))
    return visit_record(
        actor=world.a.cadre,
        household=household,
        member=world.a.party_member,
        visited_on=timezone.localdate(),
        met="户主",
        learned="甲村近况",
    )


@pytest.mark.parametrize("write", [_link, _visit], ids=["link", "visit"])
def test_a_contact_write_during_a_registry_import_of_its_household(
    world, tmp_path, monkeypatch, write
):
    a = world.a
    for link in ContactLink.objects.filter(household=a.household, ended_on__isnull=True):
        contact_link_end(actor=a.cadre, link=link, reason="甲村调整")
    monkeypatch.setitem(SheetImport.__init__.__kwdefaults__, "batch_rows", 1)
    sheet = make_sheet(
        tmp_path / "households.xlsx",
        [
            ["户编号", "户主姓名", "户主身份证号", "家庭住址", "所属网格"],
            ["", "甲新户", make_id(dt.date(1980, 3, 3)), "甲村88号", GRID + a.grid.name],
            [
                a.household.number,
                a.head.name,
                a.head.id_number,
                "甲村改名巷9号",
                GRID + a.grid.name,
            ],
        ],
    )
    results = import_while(
        lambda progress: registry_import(
            actor=a.cadre, kind="households", path=sheet, progress=progress
        ),
        lambda: write(world, Household.objects.get(pk=a.household.pk)),
    )
    assert not isinstance(results["write"], Exception), results
    report = results["import"]
    assert not isinstance(report, Exception) and not report.errors, results


def test_registering_a_party_member_during_a_registry_import_moving_their_household(
    world, tmp_path, monkeypatch
):
    """The import binds the household's accounts to its new grid (household_roles_follow) after
    its heads; registering the head as a member turns their 村民 role into 党员 (party_role_set)
    and must not hold that role's row while it waits for the head."""
    from xiangzhi.accounts.models import RoleAssignment
    from xiangzhi.core.roles import Role
    from xiangzhi.party.models import PartyMember
    from xiangzhi.party.services import party_member_register
    from xiangzhi.people.models import Resident

    a = world.a
    RoleAssignment.objects.filter(user=a.villager).update(node=a.grid)
    monkeypatch.setitem(SheetImport.__init__.__kwdefaults__, "batch_rows", 1)
    sheet = make_sheet(
        tmp_path / "households.xlsx",
        [
            ["户编号", "户主姓名", "户主身份证号", "家庭住址", "所属网格"],
            ["", "甲新户", make_id(dt.date(1980, 3, 3)), "甲村88号", GRID + a.grid.name],
            [
                a.household.number,
                a.head.name,
                a.head.id_number,
                a.household.address,
                GRID + a.sibling_grid.name,
            ],
        ],
    )
    results = import_while(
        lambda progress: registry_import(
            actor=a.cadre, kind="households", path=sheet, progress=progress
        ),
        lambda: party_member_register(
            actor=a.cadre,
            resident=Resident.objects.get(pk=a.head.pk),
            category="full",
            joined_on=dt.date(1995, 7, 1),
            organisation=a.group,
        ),
    )
    assert not isinstance(results["write"], Exception), results
    report = results["import"]
    assert not isinstance(report, Exception) and not report.errors, results
    assert Household.objects.get(pk=a.household.pk).node_id == a.sibling_grid.pk
    assert PartyMember.objects.filter(resident=a.head).exists()
    assert set(RoleAssignment.objects.filter(user=a.villager).values_list("role", "node")) == {
        (Role.PARTY_MEMBER, a.sibling_grid.pk)
    }
