"""A registry import holds its townships' audit heads from its first batch to its commit and
locks households after taking them; a split (分户) or a move-out in one of its households, run
meanwhile, must wait for it in that order, not lock the household first and then wait for the head (PostgreSQL
broke the deadlock by aborting one of the two)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.factories import child_moved_in, make_id
from tests.pg_locks import import_while
from tests.xlsx_helpers import make_sheet
from xiangzhi.core.sheets.engine import SheetImport
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import (
    household_split,
    resident_move_out,
)
from xiangzhi.people.services.imports import registry_import

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has one writer: nothing waits crosswise"
    ),
]

GRID = "甲村/甲村第一党支部/甲村枫树屋场党小组/"


def _split(world, son):
    household = Household.objects.get(pk=world.a.household.pk)
    return household_split(
        actor=world.a.cadre, household=household, members=[son], new_head=son, address="甲村新房1号"
    )


def _move_out(world, son):
    return resident_move_out(actor=world.a.cadre, resident=son, occurred_on=dt.date(2026, 1, 5))


@pytest.mark.parametrize("change", [_split, _move_out], ids=["split", "move_out"])
def test_a_household_change_during_a_registry_import_of_its_household(
    world, tmp_path, monkeypatch, change
):
    a = world.a
    monkeypatch.setitem(SheetImport.__init__.__kwdefaults__, "batch_rows", 1)
    son = child_moved_in(
        actor=world.admin, household=a.household, name="甲大儿", born=dt.date(1995, 2, 2)
    )
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
        lambda: change(world, Resident.objects.get(pk=son.pk)),
    )
    assert not isinstance(results["write"], Exception), results
    report = results["import"]
    assert not isinstance(report, Exception) and not report.errors, results
    assert Household.objects.get(pk=a.household.pk).address == "甲村改名巷9号"
