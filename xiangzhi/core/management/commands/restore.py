"""`manage.py restore FILE`: restore a backup of `manage.py backup` into a new, empty database,
then decrypt a sample of every encrypted column with the keys in force (core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiangzhi.core.backup import BackupError, check_keys, restore_database


class Command(BaseCommand):
    help = "把备份恢复到新建的空数据库，并用当前数据密钥试解密个人敏感字段"

    def add_arguments(self, parser):
        parser.add_argument("backup", help="backup 命令写出的备份文件")

    def handle(self, *args, backup: str, **options):
        try:
            restore_database(Path(backup))
            self.stdout.write(f"已恢复数据库：{backup}")
            checked = check_keys()
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"数据密钥核对无误：已解密 {checked} 个加密值。建议再运行 verify_audit"
            )
        )
