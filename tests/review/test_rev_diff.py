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
