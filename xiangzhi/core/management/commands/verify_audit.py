import sys

from django.core.management.base import BaseCommand

from xiangzhi.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计链：完整时退出码为0,否则指出第一条被修改、删除或调换顺序的事件"

    def handle(self, *args, **options):
        checked, problem = verify_chain()
        if problem is None:
            self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {checked} 条事件"))
            return
        self.stderr.write(f"审计链已被破坏：{problem.message}（此前 {checked} 条完整）")
        sys.exit(1)
