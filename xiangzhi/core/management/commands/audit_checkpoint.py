"""`manage.py audit_checkpoint -o FILE`: sign every audit chain's head (core/checkpoint.py) and
write the checkpoint to FILE (and to the checkpoint directory the audit page offers);
`--new-key` first rotates the signing key (the old public key stays trusted for older
checkpoints). The worker does the same every day (core/checkpoint_tasks.py)."""

from django.core.management.base import BaseCommand, CommandError

from xiangzhi.core.actions import CoreAction
from xiangzhi.core.audit import audit_record
from xiangzhi.core.checkpoint import CheckpointError, new_signing_key
from xiangzhi.core.checkpoint_tasks import audit_checkpoint_write


class Command(BaseCommand):
    help = "签署每条审计链的链头，写出签名检查点文件（供纪检下载、打印和日后校验）"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="检查点文件的保存路径")
        parser.add_argument(
            "--new-key", action="store_true", help="先更换签名密钥（旧公钥保留，用于校验旧检查点）"
        )

    def handle(self, *args, output=None, new_key=False, **options):
        try:
            if new_key:
                kid = new_signing_key()
                audit_record(
                    actor=None,
                    action=CoreAction.AUDIT_KEY_ROTATE,
                    object_type="core.audithead",
                    changes={"key_id": kid},
                )
                self.stdout.write(f"已更换签名密钥，新密钥编号 {kid}")
            checkpoint, kept = audit_checkpoint_write(actor=None, output=output)
        except (CheckpointError, OSError) as exc:
            raise CommandError(f"无法签署审计检查点：{exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已签署 {len(checkpoint['chains'])} 条审计链的链头"
                f"（密钥编号 {checkpoint['key_id']}），保存在 {output or kept}"
            )
        )
