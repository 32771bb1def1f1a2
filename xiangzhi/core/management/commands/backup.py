"""`manage.py backup [-o FILE] [--keys FILE]`: a consistent copy of the database while the app runs
(core/backup.py; docs/deploy.md says where to keep it and the keys)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiangzhi.core.backup import BackupError, backup_database, write_keys


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份或 pg_dump）；--keys 另存数据密钥，须与备份分开保管"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="数据库备份文件路径")
        parser.add_argument("--keys", help="把当前密钥写入此文件（var/secrets.json 的格式）")

    def handle(self, *args, output: str | None, keys: str | None, **options):
        if not output and not keys:
            raise CommandError("请用 -o 指定数据库备份文件，或用 --keys 指定密钥文件")
        if output:
            self._database(Path(output))
        if keys:
            write_keys(Path(keys))
            self.stdout.write(
                self.style.WARNING(
                    f"已写出数据密钥：{keys}。请与数据库备份分开保管，丢失则身份证号无法解密"
                )
            )

    def _database(self, output: Path) -> None:
        try:
            path = backup_database(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已备份数据库：{path}（{path.stat().st_size:,} 字节）")
        )
