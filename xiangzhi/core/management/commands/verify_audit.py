"""`manage.py verify_audit [--checkpoint FILE [--public-key PEM [PEM ...]]]`: verify every audit chain
and name the broken one; with a signed checkpoint, also prove that each chain still extends it
(core/checkpoint.py), which catches a chain rewritten whole with every hash recomputed."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from xiangzhi.core.audit import chain_labels, verify_chains
from xiangzhi.core.checkpoint import (
    CheckpointError,
    check_set,
    loads,
    public_keys,
    verify_checkpoint,
)
from xiangzhi.core.models import AuditHead


class Command(BaseCommand):
    help = "校验审计链：完整时退出码为0，否则指出哪条链的哪条事件被修改、删除或调换顺序"

    def add_arguments(self, parser):
        parser.add_argument("--checkpoint", help="签名检查点文件：证明每条链仍延续它")
        parser.add_argument(
            "--public-key",
            nargs="+",
            help="受信任的公钥文件（可给出多个；默认用服务器上保存的全部公钥）",
        )

    def handle(self, *args, checkpoint=None, public_key=None, **options):
        failed = False
        reports = verify_chains()
        for report in reports:
            if report.problem is None:
                self.stdout.write(f"{report.label}：完整，共 {report.checked} 条事件")
                continue
            failed = True
            where = f"{report.label}：" if report.label else ""
            self.stderr.write(
                f"审计链已被破坏：{where}{report.problem.message}（此前 {report.checked} 条完整）"
            )
        if checkpoint:
            failed = self._checkpoint(checkpoint, public_key) or failed
        if failed:
            sys.exit(1)
        total = sum(r.checked for r in reports)
        self.stdout.write(self.style.SUCCESS(f"审计链完整：{len(reports)} 条链，共 {total} 条事件"))

    def _checkpoint(self, path: str, key_files) -> bool:
        """Whether the checkpoint check failed (each problem written out)."""
        try:
            data = loads(Path(path).read_bytes())
            keys = public_keys(key_files)
        except (OSError, CheckpointError) as exc:
            self.stderr.write(f"检查点无法使用：{exc}")
            return True
        failed = False
        whole = check_set(data, keys)
        if whole.problem is not None:
            failed = True
            self.stderr.write(f"检查点文件不可信：{whole.problem}")
        for check in verify_checkpoint(data, keys):
            if check.problem is None:
                self.stdout.write(f"{check.label}：延续签名检查点（#{check.seq}）")
            else:
                failed = True
                self.stderr.write(f"审计链与签名检查点不符：{check.label}：{check.problem}")
        if whole.problem is None and whole.covered < whole.signed:
            self.stdout.write(
                f"此文件是检查点的一部分：签署时共 {whole.signed} 条审计链，本文件含其中 "
                f"{whole.covered} 条（按下载人的审计范围）"
            )
        covered = {str(e.get("chain")) for e in data["chains"]}
        others = [h for h in AuditHead.objects.order_by("key") if h.key not in covered]
        self.stdout.write(
            f"检查点覆盖 {len(covered)} 条审计链；数据库中另有 {len(others)} 条不在此文件中"
            + (f"（{'、'.join(chain_labels(others).values())}）" if others else "")
        )
        return failed
