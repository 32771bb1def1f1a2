"""`manage.py backup -o FILE [--keys FILE]`: a consistent copy of the database while the app runs
(core/backup.py; docs/deploy.md says where to keep it and the keys)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiangzhi.core.backup import BackupError, backup_database, write_keys


class Command(BaseCommand):
    help = "备份数据库(SQLite 在线备份或 pg_dump);--keys 另存数据密钥,须与备份分开保管"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="备份文件路径")
        parser.add_argument("--keys", help="把当前密钥写入此文件(var/secrets.json 的格式)")

    def handle(self, *args, output: str, keys: str | None, **options):
        try:
            path = backup_database(Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已备份数据库:{path}({path.stat().st_size:,} 字节)"))
        if keys:
            write_keys(Path(keys))
            self.stdout.write(
                self.style.WARNING(
                    f"已写出数据密钥:{keys}。请与数据库备份分开保管,丢失则身份证号无法解密"
                )
            )
