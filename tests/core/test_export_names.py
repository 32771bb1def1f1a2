"""Names that are no safe sheet title or file name never make an export fail (issue 10, point 8)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from xiangzhi.core.xlsx.names import download_name, sheet_title
from xiangzhi.grid.services import node_create

BAD_NAMES = [
    "东/西组",
    "南\\北",
    "哪个?组",
    "星*组",
    "[一]组",
    "冒:号",
    '"引号"组',
    "'单引号'",
    "长" * 100,
    "组\t名",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_node_with_an_unsafe_name_exports(client, world, name):
    node = node_create(actor=world.admin, parent=world.a.node, name=name)
    client.force_login(world.a.secretary)
    r = client.get(f"/grid/nodes/{node.pk}/export/")
    assert r.status_code == 200
    disposition = r.headers["Content-Disposition"]
    assert "/" not in disposition.split("filename", 1)[1].replace("%2F", "/").split("''")[-1]
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)
    title = wb.sheetnames[0]
    assert 0 < len(title) <= 31 and not set(title) & set("[]:*?/\\")


def test_titles_and_file_names_are_sanitised_in_one_place():
    assert sheet_title("东/西组") == "东-西组"
    assert sheet_title("'") == "Sheet1" and sheet_title("") == "Sheet1"
    assert len(sheet_title("长" * 100)) == 31
    assert download_name('东/西:组*?"x".xlsx') == "东-西-组---x-.xlsx"
    assert download_name("...") == "导出"
    assert download_name("长" * 300 + ".xlsx").endswith(".xlsx")
    assert len(download_name("长" * 300 + ".xlsx")) <= 105
