"""The points app's sheets: last year's ledger imported from a 台账 (one entry a row), the
ledger and the rule catalogue exported. Registered from PointsConfig.ready(); core.sheets
does the rest (upload, dry run, 确认导入, errors by row and column, `import_xlsx points_ledger`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiangzhi.core import xlsx
from xiangzhi.core.audit import audit_lock
from xiangzhi.core.registry import households_of
from xiangzhi.core.roles import CADRE_ROLES
from xiangzhi.core.scope import scope_for
from xiangzhi.core.sheets import ExportSide, ImportSide, SheetKind
from xiangzhi.core.sheets.simple import RowImport
from xiangzhi.core.types import Actor
from xiangzhi.core.xlsx import Column
from xiangzhi.grid.labels import grid_labels
from xiangzhi.people.selectors import households_numbered, number_not_unique

from .actions import PointsAction
from .models import Category, PointEntry
from .selectors import entry_list, rule_list
from .services.ledger import account_for, entry_post


def _may_import(user) -> bool:
    """A village's cadres (and the township's leaders) import its old ledger."""
    scope = scope_for(user)
    return scope.superuser or bool(scope.paths(CADRE_ROLES))


def _points(value: object) -> int:
    raw = xlsx.text(value)
    try:
        number = float(raw)
    except ValueError:
        raise xlsx.CellError(_("分值应为整数，而不是“%(v)s”") % {"v": xlsx.clip(raw)}) from None
    if not number.is_integer():
        raise xlsx.CellError(_("分值应为整数，而不是“%(v)s”") % {"v": xlsx.clip(raw)})
    return int(number)


def _rule_of(actor: Actor, household, label: str):
    """The rule version a row names by a rule's title, or None for a category's name."""
    for rule in rule_list(actor=actor, active_only=False).filter(title=label):
        if household.node.path.startswith(rule.node.path):
            return rule.versions.get(version=rule.version)
    if label in Category.labels or label in Category.values:
        return None
    raise ValidationError({"rule": _("没有名为“%(v)s”的积分规则或类别") % {"v": xlsx.clip(label)}})


OCCURRENCE = "occurrence"  # the n-th equal row of the file (LedgerImport), not a column


class LedgerImport(RowImport):
    """Rows one at a time, each told how many equal rows (same household, date, points and
    reason) came before it in this file: two real +2s of one day are two entries, and a sheet
    imported again finds both already there."""

    def _write_row(self, sheet: str, number: int, values: dict) -> None:
        seen = self.__dict__.setdefault("_seen", Counter())
        # Normalised as ledger_write matches a row to the ledger: the compact 户编号, the first
        # 200 characters of the reason (the rule's name when there is none).
        reason = xlsx.text(values.get("reason", "")) or xlsx.text(values.get("rule", ""))
        key = (
            xlsx.compact(values.get("household", "")),
            str(values.get("occurred_on")),
            str(values.get("points")),
            reason[:200],
        )
        seen[key] += 1
        super()._write_row(sheet, number, {**values, OCCURRENCE: seen[key]})


def ledger_write(*, actor: Actor, values: dict[str, object]) -> str:
    """One row of an old ledger -> one entry (a row already in the ledger is left unchanged;
    the n-th of equal rows in a file is there when n equal entries are)."""
    number = xlsx.compact(values.get("household", ""))
    if not number:
        raise ValidationError({"household": _("请填写户编号")})
    found = households_numbered(actor=actor, number=number, grid=xlsx.text(values.get("grid")))
    if not found:
        raise ValidationError({"household": _("没有找到户编号为“%(n)s”的在册户") % {"n": number}})
    if len(found) > 1:
        raise ValidationError({"household": number_not_unique(number)})
    household = found[0]
    day = values.get("occurred_on")
    if not isinstance(day, dt.date) or isinstance(day, xlsx.MonthOnly):
        raise ValidationError({"occurred_on": _("请填写具体日期")})
    if day > timezone.localdate():
        raise ValidationError({"occurred_on": _("日期不能晚于今天")})
    amount = values.get("points")
    if not amount:
        raise ValidationError({"points": _("分值不能为空或为0")})
    label = xlsx.text(values.get("rule", ""))
    version = _rule_of(actor, household, label) if label else None
    reason = xlsx.text(values.get("reason", "")) or label
    if not reason:
        raise ValidationError({"reason": _("请填写事由或规则")})
    account = account_for(household=household)
    # The township's audit head first (as entry_post takes it, and an import holds it to its
    # commit): another import of the same ledger at once has committed its entries when this
    # one counts them, so that a row is posted once, not by both.
    audit_lock(household.node_id)
    # The reason as the sheet reads it (full-width ，：（） folded, spaces made one) is compared
    # with the ledger's reasons read the same way, so that an exported ledger reads back
    # unchanged, today's rows and reversals (冲正：...) too.
    reasons = PointEntry.objects.filter(
        account=account, occurred_on=day, amount=amount
    ).values_list("reason", flat=True)
    if sum(xlsx.text(r)[:200] == reason[:200] for r in reasons) >= values.get(OCCURRENCE, 1):
        return "unchanged"
    # A new entry goes past review and notice: only past points, never one's own household.
    if household.pk in households_of(actor):
        raise ValidationError({"household": _("不能导入自己家的积分，请由其他村干部导入")})
    if day == timezone.localdate():
        raise ValidationError(
            {"occurred_on": _("台账导入的是以往的积分，日期应早于今天；今天的积分请登记申报")}
        )
    try:
        entry_post(
            actor=actor,
            account=account,
            amount=amount,
            reason=reason,
            source=PointEntry.Source.IMPORT,
            rule_version=version,
            occurred_on=day,
        )
    except PermissionDenied as exc:
        raise ValidationError({"household": str(exc)}) from None
    except ValidationError as exc:
        raise ValidationError({"points": exc.messages}) from None
    return "created"


def ledger_rows(*, actor: Actor, queryset: QuerySet[PointEntry]) -> list:
    """Rows that import back unchanged: 户编号, 日期, 规则, 分值, 事由, then what the ledger adds,
    and the household's 所属网格 (which village's 户编号 it is, for a township's sheet)."""
    labels = grid_labels(actor=actor)
    return [
        [
            e.household.number,
            e.occurred_on,
            e.rule_version.title if e.rule_version_id else "",
            e.amount,
            e.reason,
            e.balance_after,
            e.get_source_display(),
            labels.get(e.household.node.path, e.household.node.name),
        ]
        for e in queryset.select_related("household__node").iterator(chunk_size=2000)
    ]


def _entries(*, actor: Actor, node=None, **_filters) -> QuerySet[PointEntry]:  # noqa: ANN001
    return entry_list(actor=actor, node=node).order_by("id")


LEDGER = SheetKind(
    key="points_ledger",
    label="积分台账",
    columns=(
        Column("household", "户编号", ("户号",)),
        Column("occurred_on", "日期", ("发生日期", "记分日期")),
        Column("rule", "规则", ("积分规则", "类别", "积分类别", "项目")),
        Column("points", "分值", ("积分", "分数")),
        Column("reason", "事由", ("说明", "备注", "原因")),
        Column("balance_after", "余额"),
        Column("source", "来源"),
        Column("grid", "所属网格", ("网格",)),
    ),
    imports=ImportSide(
        action=PointsAction.LEDGER_IMPORT,
        required=("household", "occurred_on", "points"),
        write_row=ledger_write,
        importer=LedgerImport,
        readers={"occurred_on": xlsx.date, "points": _points},
        hint="每条积分一行：户编号、日期、规则或类别、分值、事由",
        help="用于导入以往的纸质或Excel积分台账（日期早于今天）。已在明细中的同一条记录不会重复记入；同一天同分值同事由的多行按行数记入。",
    ),
    exports=ExportSide(action=PointsAction.LEDGER_EXPORT, records=_entries, rows=ledger_rows),
    may_import=_may_import,
    refused="只有村干部可以导入积分台账",
)


def _rules(*, actor: Actor, node=None, **_filters):  # noqa: ANN001
    return rule_list(actor=actor, active_only=False)


def rule_rows(*, actor: Actor, queryset) -> list:  # noqa: ANN001
    return [
        [
            r.code,
            r.title,
            r.node.name,
            r.category_label,
            r.points,
            r.get_evidence_display(),
            f"{r.get_cap_period_display()}{r.cap_points}" if r.cap_points else "",
            r.version,
            "是" if r.is_active else "否",
        ]
        for r in queryset
    ]


RULES = SheetKind(
    key="points_rules",
    label="积分规则",
    columns=(
        Column("code", "编号"),
        Column("title", "规则名称"),
        Column("unit", "制定单位"),
        Column("category", "类别"),
        Column("points", "分值"),
        Column("evidence", "证明材料"),
        Column("cap", "每户上限"),
        Column("version", "版本"),
        Column("active", "启用"),
    ),
    exports=ExportSide(action=PointsAction.RULE_EXPORT, records=_rules, rows=rule_rows),
)
