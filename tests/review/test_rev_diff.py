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
