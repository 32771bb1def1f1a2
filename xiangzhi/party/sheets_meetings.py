"""三会一课台账 as a printable sheet (export only: meetings are recorded on their pages).
Registered from orglife.register(); core.sheets writes and audits it, from the meetings page (its
filters as the page shows them), the export page and `manage.py export_xlsx party_meetings`."""

from __future__ import annotations

from xiangzhi.core.sheets import ExportSide, SheetKind
from xiangzhi.core.xlsx import Column

from . import selectors
from .actions import OrgLifeAction

MEETING_COLUMNS = (
    Column("seq", "序号"),
    Column("organisation", "党组织"),
    Column("kind", "会议类别"),
    Column("planned_on", "计划日期"),
    Column("held_on", "召开日期"),
    Column("topic", "主题"),
    Column("host", "主持人"),
    Column("place", "地点"),
    Column("expected", "应到人数"),
    Column("present", "实到人数"),
    Column("leave", "请假人数"),
    Column("absent", "缺席人数"),
    Column("status", "状态"),
)

PARTY_MEETINGS = SheetKind(
    key="party_meetings",
    label="三会一课台账",
    columns=MEETING_COLUMNS,
    exports=ExportSide(
        action=OrgLifeAction.MEETING_EXPORT,
        records=selectors.meeting_list,
        rows=selectors.meeting_export_rows,
    ),
)
