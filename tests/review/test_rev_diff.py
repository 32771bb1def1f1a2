"""Review of one day's changes: a row's 所属网格 is never overruled by its 户编号."""

from __future__ import annotations

import pytest

from tests.review.test_hostile_sheets import _import
from tests.xlsx_helpers import make_sheet

pytestmark = pytest.mark.django_db


def test_a_number_of_one_village_under_another_villages_grid_is_an_error_never_posted(
    world, tmp_path
):
    from xiangzhi.appeals.models import Appeal
    from xiangzhi.points.models import PointEntry

    a, b = world.a, world.b
    number = a.household.number  # no household of 乙村 has it
    points = [
        ["户编号", "所属网格", "日期", "分值", "事由"],
        [number, b.node.code, "2025-03-04", 4, "写给乙村的积分"],
    ]
    report = _import(
        tmp_path, "points_ledger", make_sheet(tmp_path / "p.xlsx", points), world.chief
    )
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "户编号")], report
    assert not PointEntry.objects.filter(reason="写给乙村的积分").exists()

    appeals = [
        ["提出日期", "户编号", "所属网格", "诉求内容"],
        ["2025-03-04", number, b.node.code, "写给乙村的诉求"],
    ]
    report = _import(tmp_path, "appeals", make_sheet(tmp_path / "a.xlsx", appeals), world.chief)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "户编号")], report
    assert not Appeal.objects.filter(text="写给乙村的诉求").exists()


def test_a_nul_in_a_meetings_leave_reason_posted_as_multipart_is_refused(client, world):
    """The record page's form is multipart (its files), which NulRefused leaves to the forms;
    the roll's reasons are read raw from the POST, so the service refuses the character (it
    was stored on SQLite and a 500 on PostgreSQL)."""
    import datetime as dt

    from django.urls import reverse

    from xiangzhi.party.models import Attendance
    from xiangzhi.party.services import meeting_plan

    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="party_lecture", planned_on=dt.date(2026, 3, 1)
    )
    client.force_login(a.cadre)
    pm = a.party_member
    r = client.post(
        reverse("party:meeting_detail", args=[meeting.pk]),
        {
            "held_on": "2026-03-02",
            "topic": "甲村党课",
            "host": "甲村书记",
            f"status_{pm.pk}": "leave",
            f"reason_{pm.pk}": "住院\x00",
        },
    )
    assert r.status_code in (200, 400)
    assert "空字符" in r.content.decode()
    assert not any("\x00" in r for r in Attendance.objects.values_list("reason", flat=True))
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_an_edit_that_waited_for_a_death_or_an_import_does_not_undo_it(world):
    """A registry write now waits at the township's audit head (_write_lock) for an import or a
    departure holding it; the edit page's resident or household, read before, must not then be
    saved whole over what that write changed (the dead person live again, the household back
    on its old grid)."""
    import datetime as dt

    from xiangzhi.people.models import Household, Resident
    from xiangzhi.people.services import (
        ResidentData,
        household_update,
        resident_add,
        resident_move_out,
        resident_update,
    )

    a = world.a
    child = Resident.objects.get(pk=a.child.pk)  # the page's copy, read before the departure
    resident_move_out(
        actor=a.cadre, resident=Resident.objects.get(pk=child.pk), occurred_on=dt.date(2026, 1, 5)
    )
    data = ResidentData(
        name=child.name,
        gender=child.gender,
        birth_date=child.birth_date,
        id_number=child.id_number,
        relation=child.relation,
        note="甲村改了备注",
    )
    try:
        resident_update(actor=a.cadre, resident=child, data=data)
    except Exception:  # noqa: BLE001 - a refusal is fine; a revival is not
        pass
    assert Resident.objects.get(pk=child.pk).status == Resident.Status.MOVED_OUT

    household = Household.objects.get(pk=a.household.pk)  # the page's copy
    stale = Household.objects.get(pk=a.household.pk)
    Household.objects.filter(pk=household.pk).update(node=a.sibling_grid)  # an import moved it
    household_update(actor=a.cadre, household=household, address="甲村改名巷1号")
    assert Household.objects.get(pk=household.pk).node_id == a.sibling_grid.pk
    born = resident_add(
        actor=a.cadre,
        household=stale,  # the page's copy, still on the old grid
        kind="birth",
        occurred_on=dt.date(2026, 1, 2),
        data=ResidentData(
            name="甲新生", gender="F", birth_date=dt.date(2026, 1, 2), relation="child"
        ),
    )
    assert born.node_id == a.sibling_grid.pk


def test_a_split_without_a_grid_puts_the_new_household_where_the_old_one_is_now(world):
    """As the edits above: the page's household was read before an import moved it; the new
    household of a split takes the household's grid as it is once the split holds the row."""
    import datetime as dt

    from xiangzhi.people.models import Household, Resident
    from xiangzhi.people.services import ResidentData, household_split, resident_add

    a = world.a
    son = resident_add(
        actor=a.cadre,
        household=a.household,
        kind="move_in",
        occurred_on=dt.date(2020, 1, 1),
        data=ResidentData(
            name="甲大儿", gender="M", birth_date=dt.date(1995, 2, 2), relation="child"
        ),
    )
    stale = Household.objects.get(pk=a.household.pk)
    Household.objects.filter(pk=stale.pk).update(node=a.sibling_grid)
    Resident.objects.filter(household=stale).update(node=a.sibling_grid)
    son = Resident.objects.get(pk=son.pk)
    new = household_split(
        actor=a.cadre, household=stale, members=[son], new_head=son, address="甲村新房1号"
    )
    assert new.node_id == a.sibling_grid.pk
    assert Resident.objects.get(pk=son.pk).node_id == a.sibling_grid.pk
