"""Backup and restore of the database (`manage.py backup`, `manage.py restore`, docs/deploy.md).

A backup is a consistent copy taken while the app runs: SQLite's online backup API (page by
page, readers and the writer go on), or pg_dump's custom format on PostgreSQL (one snapshot).
The encrypted columns are useless without the data keys, which live outside the database (the
environment or var/secrets.json): `backup --keys FILE` writes them in var/secrets.json's format,
to be kept apart from the database copies (a stolen backup without the keys reveals no ID
number). `restore` refuses a database that already holds tables, and after restoring decrypts a
sample of every encrypted column with the keys in force, so a restore with lost or wrong keys
fails loudly instead of serving pages that cannot show a single ID number.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections

from .crypto import DecryptionError, EncryptedTextField

KEY_NAMES = ("SECRET_KEY", "XIANGZHI_DATA_KEYS", "XIANGZHI_INDEX_KEY")
SAMPLE = 20  # values decrypted per encrypted column after a restore


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Chinese)."""


def _vendor(alias: str) -> str:
    return connections[alias].vendor


def _pg_args(alias: str) -> tuple[list[str], dict]:
    """libpq connection options of a Django database, the password in the environment."""
    db = connections[alias].settings_dict
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"找不到 {cmd[0]} 命令，请安装 PostgreSQL 客户端（postgresql-client）")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败：{done.stderr.strip()}")


def backup_database(output: Path, *, alias: str = "default") -> Path:
    """Write a consistent copy of the database to `output` (written aside, then renamed)."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    vendor = _vendor(alias)
    if vendor == "sqlite":
        source = sqlite3.connect(connections[alias].settings_dict["NAME"])
        target = sqlite3.connect(partial)
        try:
            with target:
                source.backup(target)  # the online backup API: a consistent snapshot
        finally:
            target.close()
            source.close()
    elif vendor == "postgresql":
        args, env = _pg_args(alias)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={partial}", *args],
            env,
        )
    else:
        raise BackupError(f"不支持的数据库：{vendor}")
    partial.chmod(0o600)
    partial.replace(output)
    return output


def write_keys(output: Path) -> Path:
    """Write the keys in force in var/secrets.json's format (mode 0600)."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    data = {name: getattr(settings, name) for name in KEY_NAMES}
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    return output


def restore_database(source: Path, *, alias: str = "default") -> None:
    """Restore a backup into the configured database, which must hold no table yet."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"找不到备份文件：{source}")
    connection = connections[alias]
    with connection.cursor():
        tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"目标数据库已有 {len(tables)} 张表；请恢复到一个新建的空数据库（见 docs/deploy.md）"
        )
    connection.close()
    if connection.vendor == "sqlite":
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"备份文件已损坏：{source}")
            target = sqlite3.connect(connection.settings_dict["NAME"])
            try:
                with target:
                    backup.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
            finally:
                target.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"不是 SQLite 备份文件：{source}") from exc
        finally:
            backup.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_args(alias)
        cmd = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
        _run([*cmd, *args, str(source)], env)
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")


def check_keys(*, alias: str = "default") -> int:
    """Decrypt a sample of every encrypted column with the keys in force; the number decrypted.

    Raises BackupError naming the column when a value cannot be decrypted (lost or wrong keys).
    """
    checked = 0
    for model in apps.get_models():
        for field in model._meta.fields:
            if not isinstance(field, EncryptedTextField):
                continue
            rows = (
                model._base_manager.using(alias)
                .exclude(**{f"{field.name}__isnull": True})
                .exclude(**{field.name: ""})
                .order_by("pk")
                .values_list(field.name, flat=True)
            )
            try:
                checked += len(list(rows[:SAMPLE]))
            except DecryptionError as exc:
                raise BackupError(
                    f"当前的数据密钥解不开 {model._meta.verbose_name}的“{field.verbose_name}”："
                    "请把备份时的 var/secrets.json（或环境变量中的密钥）放回后再恢复"
                ) from exc
            _check_index(model, field, alias)
    return checked


def _check_index(model, field, alias: str) -> None:
    """The blind index kept beside an encrypted column must be what the index key in force
    makes of its value: with another key every lookup by number (and the duplicate check of
    ID numbers) would find nothing, silently."""
    index = f"{field.name}_index"
    if not hasattr(model, index) or not hasattr(model, "prepare"):
        return
    rows = (
        model._base_manager.using(alias)
        .exclude(**{f"{index}__isnull": True})
        .exclude(**{index: ""})
        .order_by("pk")[:SAMPLE]
    )
    for row in rows:
        kept = getattr(row, index)
        row.prepare()
        if getattr(row, index) != kept:
            raise BackupError(
                f"当前的索引密钥（XIANGZHI_INDEX_KEY）与 {model._meta.verbose_name}的“{field.verbose_name}”"
                "索引不符，按号码查找和身份证号查重都会失效：请把备份时的 var/secrets.json"
                "（或环境变量中的密钥）放回；有意更换索引密钥时请按 docs/security.md 运行 "
                "rotate_data_keys --reindex"
            )
