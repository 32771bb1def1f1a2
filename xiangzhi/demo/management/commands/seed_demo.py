"""Load a deterministic synthetic township (or county): every app's demo data, app by app, and a
login for every role. Running it again changes nothing.

Each app owns the demo of its own models in `<app>/demo.py` and registers its loader from its
AppConfig.ready() (core.registry.register_demo_loader); this command knows none of them."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xiangzhi.accounts.demo import DEMO_PASSWORD
from xiangzhi.accounts.models import User
from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record
from xiangzhi.core.demo import SCALES, DemoContext
from xiangzhi.core.registry import demo_loaders
from xiangzhi.demo.actions import DemoAction
from xiangzhi.grid.demo import demo_root_code
from xiangzhi.grid.models import GridNode


def load_demo(context: DemoContext) -> dict[str, int]:
    """Run every registered demo loader, lower apps first, and gather what each made. Call it in
    a transaction. Loaders insert in bulk: the figure rows are counted once at the end, all of
    them (a service a loader calls recounts nothing meanwhile)."""
    counts: dict[str, int] = {}
    with figures.batch(full=True):
        for _, loader in demo_loaders():
            for figure, count in (loader(context) or {}).items():
                counts[figure] = counts.get(figure, 0) + count
    return counts


class Command(BaseCommand):
    help = "载入演示乡镇（--scale town）或演示县（--scale county）；合成数据，可重复运行"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="town")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--brief", action="store_true", help="只打印一行结果（make demo 随后打印账号摘要）"
        )

    def handle(self, *args, scale: str, seed: int, brief: bool = False, **opts):
        county = scale == "county"
        if GridNode.objects.filter(code=demo_root_code(county=county)).exists():
            self.stdout.write("演示数据已存在，未做任何改动。")
            if not brief:
                self.print_logins()
            return
        if GridNode.objects.exists():
            raise CommandError("数据库中已有其他网格数据，为避免混淆，演示数据只能载入空库。")
        started = time.monotonic()
        context = DemoContext(
            seed=seed, scale=SCALES[scale], county=county, verbose=self.stdout if county else None
        )
        with transaction.atomic():
            counts = load_demo(context)
            audit_record(
                actor=None,
                action=DemoAction.SEED_LOAD,
                object_type="grid.gridnode",
                object_repr="演示数据",
                changes={"seed": seed, "scale": scale, **counts},
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入演示数据（{time.monotonic() - started:.1f} 秒）："
                + ",".join(f"{k} {v}" for k, v in counts.items())
            )
        )
        if not brief:
            self.print_logins()

    def print_logins(self):
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for u in User.objects.filter(username__startswith="demo_").order_by("id"):
            roles = (
                "、".join(
                    f"{ra.get_role_display()}@{ra.node or ra.department or '本户'}"
                    for ra in u.role_assignments.select_related("node", "department")
                )
                or "系统管理员"
            )
            self.stdout.write(f"  {u.username:<22} {u.display_name:<10} {roles}")
