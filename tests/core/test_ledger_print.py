"""Printable ledgers (issue 12, point 7): every export (each registered export kind, the grid
summary, the audit log, the import error list) has a title row (unit, ledger, period), a
制表人/审核人/制表日期 line, a frozen header repeated on each printed page, A4 landscape fitted
to the page's width; and an exported roster still imports back."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xiangzhi.core.sheets import export_kinds
from xiangzhi.core.xlsx import HEADER_ROW, period_text
from xiangzhi.people.exports import export_list
from xiangzhi.people.models import Resident
from xiangzhi.people.services.imports import registry_import


def _sheet(response):
    assert response.status_code == 200, response
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def _check_ledger(ws, *, unit: str, ledger: str, header_first: str, period: str = ""):
    today = timezone.localdate()
    title = ws["A1"].value
    assert title.startswith(unit) and ledger in title, title
    assert (period or f"截至{today.year}年{today.month}月{today.day}日") in title
    assert ws["A1"].font.bold and any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    line = "　".join(c.value for c in ws[2] if c.value)  # a narrow sheet has it in one cell
    assert line.startswith("制表人：") and "　审核人：" in line
    assert line.endswith(f"制表日期：{today.year}年{today.month}月{today.day}日")
    assert ws.cell(HEADER_ROW, 1).value == header_first and ws.cell(HEADER_ROW, 1).font.bold
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    setup = ws.page_setup
    assert setup.orientation == "landscape" and str(setup.paperSize) == "9"  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0


@pytest.mark.parametrize("kind", [k.key for k in export_kinds()])
def test_every_registered_export_kind_is_a_printable_ledger(client, world, kind):
    sheet_kind = next(k for k in export_kinds() if k.key == kind)
    client.force_login(world.a.cadre)
    ws = _sheet(client.get(f"/sheets/export/{kind}/", {"node": world.a.node.pk}))
    _check_ledger(
        ws, unit="甲村", ledger=sheet_kind.label, header_first=sheet_kind.columns[0].label
    )


def test_without_a_node_the_unit_is_the_scope(client, world):
    client.force_login(world.a.cadre)
    ws = _sheet(client.get("/sheets/export/residents/"))
    assert ws["A1"].value.startswith("甲村居民花名册")
    client.force_login(world.chief)
    ws = _sheet(client.get("/people/households/export/"))
    assert ws["A1"].value.startswith("测试镇户籍台账")


def test_the_change_ledger_title_names_its_month(client, world):
    client.force_login(world.a.cadre)
    ws = _sheet(client.get("/people/changes/export/?since=2026-11-01&until=2026-11-30"))
    _check_ledger(ws, unit="甲村", ledger="人口变动台账", header_first="序号", period="2026年11月")
    assert period_text(None, None) == ""


def test_the_grid_audit_and_error_sheets_are_printable_ledgers(client, world):
    from xiangzhi.core.models import ImportJob

    client.force_login(world.a.cadre)
    _check_ledger(
        _sheet(client.get(f"/grid/nodes/{world.a.node.pk}/export/")),
        unit="甲村",
        ledger="网格汇总表",
        header_first="网格",
    )
    client.force_login(world.chief)
    _check_ledger(
        _sheet(client.get("/core/audit/export/")),
        unit="测试镇",
        ledger="审计日志",
        header_first="序号",
    )
    job = ImportJob.objects.filter(created_by=world.a.cadre).first()
    job.report = {"errors": [{"row": 2, "column": "姓名", "message": "缺少姓名"}]}
    job.save()
    client.force_login(world.a.cadre)
    ws = _sheet(client.get(f"/sheets/import/jobs/{job.pk}/errors/"))
    assert "导入错误" in ws["A1"].value and ws.cell(HEADER_ROW, 1).value == "行号"


def test_an_exported_ledger_imports_back_unchanged(world, tmp_path):
    a = world.a
    path = tmp_path / "roster.xlsx"
    export_list(
        actor=a.cadre, kind="residents", queryset=Resident.objects.for_actor(a.cadre), target=path
    )
    report = registry_import(actor=a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.created == 0 and report.updated == 0
    assert report.unchanged == Resident.objects.for_actor(a.cadre).count()
