"""`manage.py verify_figures [--node CODE] [--fix]`: recount the maintained figures
(core.figures) from the records, in both tiers (each node's fine rows and the village rows pages
read), and name every row that differs; --fix writes the counted values.
Exit code 0 when every figure agrees (or was fixed), 1 otherwise."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xiangzhi.core import figures
from xiangzhi.core.paths import node_named
from xiangzhi.core.registry import maintained_figures
from xiangzhi.grid.models import GridNode, level_name


def figure_label(key: str) -> str:
    name, _, split = key.partition(":")
    for f in maintained_figures():
        if f.key == name:
            if f.split_by == "level" and split:
                return f"{f.label}({level_name(int(split))})"
            return f"{f.label}({split})" if split else f.label
    return f"{key}（已不再登记的统计项）"


class Command(BaseCommand):
    help = "按记录重新统计各网格的统计数，列出与统计表不一致的每一项；--fix 修正"

    def add_arguments(self, parser):
        parser.add_argument("--node", help="只核对该区划代码（或网格编号）的网格及其下级")
        parser.add_argument("--fix", action="store_true", help="把统计表改为按记录统计的数")

    def handle(self, *args, node=None, fix=False, **options):
        where = None
        if node:
            where = node_named(GridNode.objects.all(), node)
            if where is None:
                raise CommandError(f"没有区划代码或编号为 {node} 的网格")
        if not figures.enabled():
            self.stdout.write(
                "提示：统计表维护已关闭（XIANGZHI_FIGURES_MAINTAINED=0），页面按记录实时统计。"
            )
        with transaction.atomic():
            diffs = figures.verify(
                path=where.path if where else "", level=where.level if where else None, fix=fix
            )
        names = dict(
            GridNode.objects.filter(path__in={d.path for d in diffs}).values_list("path", "name")
        )
        daily = {f.key for f in figures.daily_figures()}
        for d in diffs:
            period = f" {d.period}" if d.period else ""
            note = (
                "（按日期变化的统计项，每日由后台任务重算）"
                if d.key.partition(":")[0] in daily
                else ""
            )
            tier = "（本网格的记录）" if d.fine else ""
            self.stdout.write(
                f"{names.get(d.path, '已不存在的网格')}[{d.path}]{tier} {figure_label(d.key)}{period}"
                f"（{d.key}）：统计表 {d.kept}，按记录 {d.counted}{note}"
            )
        scope = f"“{where.name}”及其下级" if where else "全部网格"
        if not diffs:
            self.stdout.write(self.style.SUCCESS(f"{scope}的统计数与记录一致"))
        elif fix:
            self.stdout.write(self.style.SUCCESS(f"已修正{scope}的 {len(diffs)} 项统计数"))
        else:
            self.stderr.write(f"{scope}有 {len(diffs)} 项统计数与记录不一致（用 --fix 修正）")
            sys.exit(1)
