"""The appeals' pages as each role sees them: the workbench panels, the list's query count,
the ledger export and the import of past appeals."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.xlsx_helpers import make_sheet
from xiangzhi.accounts.models import Department
from xiangzhi.appeals import services
from xiangzhi.appeals.models import Appeal, State
from xiangzhi.core.models import AuditEvent
from xiangzhi.core.xlsx import HEADER_ROW

pytestmark = pytest.mark.django_db


def test_a_villager_sees_their_appeals_and_the_button_on_their_workbench(client, world):
    client.force_login(world.a.villager)
    page = client.get("/").content.decode()
    assert "我的诉求" in page and "我要说事" in page and "甲村枫树屋场路灯不亮了" in page
    assert "乙村" not in page


def test_a_grid_worker_sees_what_waits_to_be_accepted_and_what_is_assigned_to_them(client, world):
    a = world.a
    other = services.appeal_submit(actor=a.worker, household=a.household, text="甲村井水浑了")
    services.appeal_accept(actor=a.worker, appeal=other)
    services.appeal_assign(actor=a.worker, appeal=other, assignee=a.worker)
    client.force_login(a.worker)
    page = client.get("/").content.decode()
    assert "待受理" in page and "甲村枫树屋场路灯不亮了" in page
    assert "交办给我的" in page and "甲村井水浑了" in page


def test_a_department_sees_what_is_dispatched_to_it(client, world):
    a = world.a
    services.appeal_accept(actor=a.worker, appeal=a.appeal)
    civil = Department.objects.get(code="civil_affairs")
    services.appeal_dispatch(actor=a.cadre, appeal=a.appeal, department=civil, note="低保")
    client.force_login(world.b.department_user)  # 民政 staff see it township-wide
    page = client.get("/").content.decode()
    assert "派到本部门的" in page and "甲村枫树屋场路灯不亮了" in page
    services.appeal_start(actor=world.b.department_user, appeal=a.appeal)
    assert Appeal.objects.get(pk=a.appeal.pk).state == State.IN_PROGRESS


def test_the_township_sees_overdue_and_supervised_appeals(client, world):
    a = world.a
    services.appeal_supervise(actor=world.chief, appeal=a.appeal, note="抓紧")
    client.force_login(world.chief)
    page = client.get("/").content.decode()
    assert "督办中" in page and "甲村枫树屋场路灯不亮了" in page


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("appeals:list")).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_queries_for_few_and_many_appeals(client, world):
    a = world.a
    client.force_login(a.cadre)
    _list_queries(client)
    few = _list_queries(client)
    for i in range(30):
        appeal = services.appeal_submit(actor=a.worker, household=a.household, text=f"甲村事{i}")
        if i % 3 == 0:
            services.appeal_accept(actor=a.worker, appeal=appeal)
            services.appeal_assign(actor=a.worker, appeal=appeal, assignee=a.worker)
    assert _list_queries(client) == few


def test_the_ledger_exports_what_the_user_sees_and_is_audited(client, world, tmp_path):
    out = tmp_path / "诉求.xlsx"
    call_command("export_xlsx", "appeals", "-o", str(out), "--user", world.a.cadre.username)
    rows = list(load_workbook(out).active.iter_rows(min_row=HEADER_ROW, values_only=True))
    texts = {r[7] for r in rows[1:]}
    assert "甲村枫树屋场路灯不亮了" in texts and "乙村枫树屋场路灯不亮了" not in texts
    assert AuditEvent.objects.filter(action="appeals.appeal_export").count() == 1


def test_past_appeals_import_through_the_services_and_a_rerun_changes_nothing(world, tmp_path):
    a = world.a
    path = make_sheet(
        tmp_path / "历史诉求.xlsx",
        [
            ["提出日期", "类型", "户编号", "诉求内容", "答复内容", "答复日期", "评分"],
            [
                "2025-03-04",
                "求助",
                a.household.number,
                "甲村去年修路的事",
                "已修好",
                "2025-03-10",
                5,
            ],
            ["2025-04-01", "咨询", a.household.number, "甲村医保怎么交", "", "", ""],
            ["2025-04-02", "投诉", world.b.household.number, "越界的诉求", "", "", ""],
            ["", "求助", a.household.number, "没有日期", "", "", ""],
        ],
    )
    args = ["import_xlsx", "appeals", str(path), "--user", a.cadre.username]
    report_file = tmp_path / "report.json"
    call_command(*args, "--report", str(report_file), stdout=StringIO())
    report = json.loads(report_file.read_text())
    assert report["created"] == 2
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(4, "户编号"), (5, "提出日期")]
    done = Appeal.objects.get(text="甲村去年修路的事")
    assert (done.state, done.score, done.household) == (State.CLOSED, 5, a.household)
    assert Appeal.objects.get(text="甲村医保怎么交").state == State.SUBMITTED
    call_command(*args, "--report", str(report_file), stdout=StringIO())
    again = json.loads(report_file.read_text())
    assert (again["created"], again["unchanged"]) == (0, 2)
