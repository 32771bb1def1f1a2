from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from xiangzhi.core.paths import node_named
from xiangzhi.core.sheets import export_kinds, sheet_export


class Command(BaseCommand):
    help = "导出台账：export_xlsx KIND [--node CODE] -o FILE [--user 账号]"

    def add_arguments(self, parser):
        # The kinds the apps registered (core.registry.register_sheet_kind).
        parser.add_argument("kind", choices=[k.key for k in export_kinds()])
        parser.add_argument("--node", help="网格的区划代码（或网格编号），只导出该网格及其下级")
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--user", help="以该账号的范围导出（默认：系统管理员）")

    def handle(self, *args, kind, node, output, user, **options):
        User = get_user_model()
        actor = (
            User.objects.filter(username=user, is_active=True).first()
            if user
            else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        )
        if actor is None:
            raise CommandError("找不到导出账号，请用 --user 指定")
        target = None
        if node:
            # The grid is an app above core: its model is reached by label, never imported.
            qs = apps.get_model("grid", "GridNode").objects.for_actor(actor)
            target = node_named(qs, node)
            if target is None:
                raise CommandError(f"找不到网格 {node}，或不在该账号的范围内")
        count = sheet_export(actor=actor, kind=kind, target=output, node=target)
        self.stdout.write(f"已导出 {count} 行到 {output}")
