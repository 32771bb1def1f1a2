import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from xiangzhi.core.sheets import hidden_rows_notice, import_kinds, sheet_import, sheet_kind


class Command(BaseCommand):
    help = "导入表格：import_xlsx KIND FILE [--dry-run] [--all-or-nothing] [--report FILE.json]"

    def add_arguments(self, parser):
        # The kinds the apps registered (core.registry.register_sheet_kind).
        parser.add_argument("kind", choices=[k.key for k in import_kinds()])
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="有任何错误行就全部不写入"
        )
        parser.add_argument("--report", help="把报告写成 JSON 文件")
        parser.add_argument("--user", help="以该账号的身份和权限导入（默认：系统管理员，全部网格）")

    def handle(self, *args, kind, file, dry_run, all_or_nothing, report, user, **options):
        User = get_user_model()
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到账号 {user}")
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if actor is None:
                raise CommandError("没有可用的系统管理员账号，请用 --user 指定导入人")
        result = sheet_import(
            actor=actor, kind=kind, path=file, dry_run=dry_run, all_or_nothing=all_or_nothing
        )
        data = result.as_dict()
        if report:
            with open(report, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=2)
        self._summary(result, dry_run=dry_run, noun=sheet_kind(kind).import_noun)
        if result.errors and not result.written and not dry_run:
            sys.exit(1)

    def _summary(self, result, *, dry_run: bool, noun: str) -> None:
        self.stdout.write(
            f"{'（试运行，未写入）' if dry_run else ''}新增 {result.created}，更新 {result.updated}，"
            f"未变 {result.unchanged}，错误 {len(result.errors)} 处"
        )
        for sheet in result.skipped_sheets:
            self.stdout.write(
                f"注意：工作表“{sheet['sheet']}”没有{'、'.join(sheet['missing'])}列，看起来不是{noun}，没有导入"
            )
        if result.skipped:
            self.stdout.write(
                f"跳过 {result.skipped} 行（没有姓名和身份证号，或是合计、填表人等说明行）"
            )
        if result.hidden_rows:
            self.stdout.write(hidden_rows_notice(result.hidden_rows, result.hidden_examples))
        if result.ignored_columns:
            self.stdout.write("已忽略的列：" + "、".join(result.ignored_columns))
        for e in result.errors[:50]:
            where = f"第 {e['row']} 行" if e["row"] else "文件"
            if e.get("sheet"):
                where = f"工作表“{e['sheet']}”{where}"
            self.stdout.write(f"  {where} {e['column']}:{e['message']}")
        if len(result.errors) > 50:
            self.stdout.write(f"  ……另有 {len(result.errors) - 50} 处错误，见 --report")
