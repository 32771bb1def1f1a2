"""诉求台账 as a sheet: the ledger export (the list as the user sees it) and the import of past
appeals (each row replayed through the services at its own dates)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.sheets import ExportSide, ImportSide, SheetKind
from xiangzhi.core.types import Actor
from xiangzhi.core.xlsx import Column, sheet_text
from xiangzhi.core.xlsx.cells import CellError, clip, text
from xiangzhi.core.xlsx.dates import MonthOnly, date
from xiangzhi.grid.labels import GridLabelReader, grid_labels
from xiangzhi.people.selectors import households_numbered, number_not_unique

from .actions import AppealAction
from .selectors import appeal_by_number, appeal_list
from .services.imports import appeal_import

COLUMNS = (
    Column("number", "编号"),
    Column("day", "提出日期", ("日期", "提出时间", "登记日期")),
    Column("kind", "类型", ("诉求类型",)),
    Column("source", "来源", ("诉求来源",)),
    Column("household", "户编号"),
    Column("name", "诉求人", ("姓名",)),
    Column("node", "所属网格", ("网格",)),
    Column("text", "诉求内容", ("内容", "事项")),
    Column("state", "状态"),
    Column("handler", "承办"),
    Column("deadline", "办理时限"),
    Column("replied_on", "答复日期", ("办结日期",)),
    Column("reply", "答复内容", ("办理结果",)),
    Column("overdue", "是否超期"),
    Column("score", "评分", ("满意度评分",)),
)


def _score(value: object) -> int | None:
    """A follow-up score: a whole number from 1 to 5 (a blank cell is none)."""
    raw = text(value)
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        number = 0.0
    if not number.is_integer() or not 1 <= number <= 5:  # inf and nan are no integers
        raise CellError(gettext("评分应为1到5的整数，而不是“%(v)s”。") % {"v": clip(raw)})
    return int(number)


def _day(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def appeal_rows(*, actor: Actor, queryset) -> list:  # noqa: ANN001
    """The ledger's rows; names and places, never a phone or ID number."""
    out = []
    labels = grid_labels(actor=actor)
    for a in queryset.select_related("node", "household", "resident", "assignee", "department"):
        handler = a.department.name if a.department else (str(a.assignee) if a.assignee else "")
        out.append(
            [
                a.number,
                _day(a.created_at),
                a.get_kind_display(),
                a.get_source_display(),
                a.household.number if a.household else "",
                a.resident.name if a.resident else "",
                labels.get(a.node.path, a.node.name),
                a.text,
                a.get_state_display(),
                handler,
                _day(a.deadline),
                _day(a.replied_at),
                a.reply,
                gettext("是") if a.overdue else gettext("否"),
                a.score or "",
            ]
        )
    return out


def appeal_records(*, actor: Actor, node=None):  # noqa: ANN001
    return appeal_list(actor=actor, node=node)


def _exported(actor: Actor, values: dict) -> bool:
    """Whether the row is an appeal the ledger export wrote: its 编号 names one the actor sees,
    raised on the row's day, with the row's text (as the sheet reads the text it wrote)."""
    appeal = appeal_by_number(actor=actor, number=text(values.get("number")))
    return (
        appeal is not None
        and timezone.localtime(appeal.created_at).date() == values.get("day")
        and text(sheet_text(appeal.text)) == values.get("text")
    )


def appeal_write(*, actor: Actor, values: dict) -> str:
    """One row of a past appeals ledger: find the household (or node), replay the appeal. A row
    of an exported ledger is an appeal already registered (raised at any hour, in any state),
    left as it is."""
    if values.get("number") and _exported(actor, values):
        return "unchanged"
    number = str(values.get("household") or "")
    household = None
    if number:
        found = households_numbered(
            actor=actor, number=number, grid=str(values.get("node") or ""), active_only=False
        )
        if not found:
            raise ValidationError({"household": gettext("您管辖范围内没有这个户编号。")})
        if len(found) > 1:
            raise ValidationError({"household": number_not_unique(number)})
        household = found[0]
    node = None
    if household is None:
        node = GridLabelReader(actor=actor).node(str(values.get("node", "")))
        if isinstance(node, str):
            raise ValidationError({"node": node})
    day = values.get("day")
    if day is None:
        raise ValidationError({"day": gettext("请填写提出日期。")})
    for key in ("day", "replied_on"):  # 2025年3月, or 2025.1 that may be October: never guessed
        if isinstance(values.get(key), MonthOnly):
            raise ValidationError({key: gettext("请填写具体日期（年月日）。")})
    _, created = appeal_import(
        actor=actor,
        day=day,
        text=str(values.get("text") or ""),
        household=household,
        node=node,
        kind=str(values.get("kind") or ""),
        source=str(values.get("source") or ""),
        reply=str(values.get("reply") or ""),
        replied_on=values.get("replied_on"),
        score=values.get("score"),
    )
    return "created" if created else "unchanged"


APPEALS = SheetKind(
    key="appeals",
    label="群众诉求台账",
    columns=COLUMNS,
    imports=ImportSide(
        action=AppealAction.APPEAL_IMPORT,
        required=("day", "text"),
        write_row=appeal_write,
        readers={"day": date, "replied_on": date, "text": text, "score": _score},
        hint="每件诉求一行",
        noun="诉求台账",
        help="导入以前纸质或Excel登记的诉求：填提出日期、户编号（或所属网格）和诉求内容；"
        "有答复内容的按已答复导入，再有评分的按回访评价后办结导入。",
        nav="appeals",
    ),
    exports=ExportSide(action=AppealAction.APPEAL_EXPORT, records=appeal_records, rows=appeal_rows),
)
