"""Last year's ledger from a sheet: errors by row and column, nothing twice; the exports."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

from django.core.management import call_command
from openpyxl import load_workbook

from tests.xlsx_helpers import make_sheet
from xiangzhi.core.models import AuditEvent
from xiangzhi.core.xlsx import HEADER_ROW
from xiangzhi.points.models import PointAccount, PointEntry


def test_last_years_ledger_imports_with_errors_by_row_and_column(world, tmp_path):
    path = make_sheet(
        tmp_path / "积分台账.xlsx",
        [
            ["户编号", "日期", "规则", "分值", "事由"],
            ["a-001", dt.date(2025, 3, 1), "人居环境整治", 10, "甲村春季大扫除"],
            ["a-002", "2025年5月4日", "甲村门前三包", "5", ""],
            ["b-001", dt.date(2025, 3, 1), "人居环境整治", 10, "乙村的户"],
            ["a-001", dt.date(2025, 3, 2), "没有这条", 3, "甲村"],
            ["a-001", dt.date(2025, 3, 3), "家庭美德", "三分", "甲村"],
            ["a-001", "", "家庭美德", 3, "甲村"],
        ],
        title_row="甲村2025年积分台账",
    )
    report_file = tmp_path / "report.json"
    args = ["import_xlsx", "points_ledger", str(path), "--user", world.a.cadre.username]
    before = PointEntry.objects.count()
    call_command(*args, "--report", str(report_file), stdout=StringIO())
    report = json.loads(report_file.read_text())
    assert report["created"] == 2
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (5, "户编号"),
        (6, "规则"),
        (7, "分值"),
        (8, "日期"),
    ]
    assert PointEntry.objects.count() == before + 2
    entry = PointEntry.objects.get(reason="甲村门前三包", source="import")
    assert entry.rule_version.title == "甲村门前三包" and entry.occurred_on == dt.date(2025, 5, 4)
    assert PointAccount.objects.get(household=world.a.household, resident=None).balance == 3 + 10
    call_command(*args, "--report", str(report_file), stdout=StringIO())  # again: nothing new
    assert json.loads(report_file.read_text())["unchanged"] == 2
    assert PointEntry.objects.count() == before + 2


def test_a_read_only_user_cannot_import_a_ledger(world, tmp_path):
    path = make_sheet(tmp_path / "l.xlsx", [["户编号", "日期", "分值"], ["a-001", "2025-01-01", 5]])
    before = PointEntry.objects.count()
    for user in (world.a.auditor, world.a.worker):
        try:
            call_command(
                "import_xlsx",
                "points_ledger",
                str(path),
                "--user",
                user.username,
                stdout=StringIO(),
            )
        except (Exception, SystemExit):  # noqa: BLE001, S110 - refused either way; see below
            pass
    assert PointEntry.objects.count() == before


def test_the_ledger_exports_as_the_cadre_sees_it_and_reads_back_unchanged(world, tmp_path):
    out = tmp_path / "out.xlsx"
    call_command("export_xlsx", "points_ledger", "-o", str(out), "--user", world.a.cadre.username)
    rows = list(load_workbook(out).active.iter_rows(min_row=HEADER_ROW, values_only=True))
    reasons = {r[4] for r in rows[1:]}
    assert "甲村往年积分" in reasons and "乙村往年积分" not in reasons
    assert AuditEvent.objects.filter(action="points.ledger_export").count() == 1
    before = PointEntry.objects.count()
    report_file = tmp_path / "r.json"
    call_command(
        "import_xlsx",
        "points_ledger",
        str(out),
        "--user",
        world.a.cadre.username,
        "--report",
        str(report_file),
        stdout=StringIO(),
    )
    assert PointEntry.objects.count() == before
    # Every exported row reads back unchanged (the world's and the store's records).
    assert json.loads(report_file.read_text())["unchanged"] == len(rows) - 1 >= 2
