"""党员花名册 as a sheet: export only (members are registered one by one on a resident's page).
Registered from PartyConfig.ready(); core.sheets writes and audits it, from the roster page (its
filters as the page shows them), the export page and `manage.py export_xlsx party_members`."""

from __future__ import annotations

from xiangzhi.core.sheets import ExportSide, SheetKind
from xiangzhi.core.xlsx import Column

from . import selectors
from .actions import PartyAction

ROSTER_COLUMNS = (
    Column("seq", "序号"),
    Column("name", "姓名"),
    Column("gender", "性别"),
    Column("birth_date", "出生日期"),
    Column("age", "年龄"),
    Column("id_number", "身份证号"),
    Column("phone", "联系电话"),
    Column("category", "党员类别"),
    Column("joined_on", "入党时间"),
    Column("organisation", "所在党组织"),
    Column("grid", "所属网格"),
    Column("status", "状态"),
)

PARTY_MEMBERS = SheetKind(
    key="party_members",
    label="党员花名册",
    columns=ROSTER_COLUMNS,
    exports=ExportSide(
        action=PartyAction.PARTY_MEMBER_EXPORT,
        records=selectors.party_member_list,
        rows=selectors.party_member_export_rows,
        text_columns=("id_number", "phone"),
    ),
)
