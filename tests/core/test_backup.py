"""Backup and restore with the data keys (issue 11, point 4): `manage.py backup` copies a running
database (SQLite's online backup API, or pg_dump on PostgreSQL) and the keys; `manage.py restore`
fills a fresh database and an ID number is read back with the keys in var/secrets.json, while
without them the restored ID numbers cannot be read.

Each step runs the real commands in their own process with a deployment's environment (keys from
var/secrets.json, not the test run's), on SQLite always and on PostgreSQL when 127.0.0.1:5432
(or the server of DATABASE_URL) answers."""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

from tests.factories import make_id

ROOT = Path(__file__).resolve().parents[2]

SEED = """
from xiangzhi.accounts.models import User
from xiangzhi.grid.services import node_create
from xiangzhi.people.services import ResidentData, household_register
admin = User.objects.create_superuser("root_admin", password="correct-horse-9")
town = node_create(actor=admin, parent=None, name="备份镇", code="430521100000")
village = node_create(actor=admin, parent=town, name="备份村")
hh = household_register(actor=admin, node=village, address="备份巷1号", number="b-001",
    head=ResidentData(name="备份一", id_number="{id_number}", phone="13800001111"))
print(hh.head.pk)
"""
READ = "from xiangzhi.people.models import Resident; print(Resident.objects.get(pk={pk}).id_number)"
RAW = "from django.db import connection; c = connection.cursor(); "
RAW += "c.execute('SELECT id_number FROM people_resident WHERE id = {pk}'); print(c.fetchone()[0])"


def _pg_server() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return dj_database_url.parse(url)
    return dj_database_url.parse("postgres://postgres@127.0.0.1:5432/xiangzhi")


def _pg_admin(sql: str) -> None:
    import psycopg

    db = _pg_server()
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname="postgres", autocommit=True, connect_timeout=3,
    ) as conn:  # fmt: skip
        conn.execute(sql)


def _pg_reason() -> str:
    try:
        _pg_admin("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure: no server to test against
        return f"PostgreSQL does not answer ({type(exc).__name__}): pg_dump/pg_restore untested"
    return ""


def _pg_url(full: str) -> str:
    db = _pg_server()
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST']}:{db['PORT'] or 5432}/{full}"


def _pg_name(name: str) -> str:
    # Beside the run's own database, and apart from any other run's (two worktrees, one server).
    return f"{_pg_server()['NAME']}_backup_{os.getpid()}_{name}"


class Databases:
    """Fresh databases of one backend, dropped at the end: empty ones, and migrated ones copied
    from the migrated database the module keeps (a migrate is some fifteen seconds)."""

    def __init__(self, backend: str, tmp: Path, template: str | None = None):
        self.backend, self.tmp, self.template, self.made = backend, tmp, template, []

    def new(self, name: str, migrated: bool = False) -> str:
        if migrated:
            assert self.template is not None
        if self.backend == "sqlite":
            path = self.tmp / (name + ".sqlite3")
            if migrated:
                shutil.copyfile(self.template, path)
            return f"sqlite:///{path}"
        full = _pg_name(name)
        _pg_admin(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')
        _pg_admin(
            f'CREATE DATABASE "{full}"' + (f' TEMPLATE "{self.template}"' if migrated else "")
        )
        self.made.append(full)
        return _pg_url(full)

    def drop(self) -> None:
        for full in self.made:
            _pg_admin(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')


# The data keys of the migrated databases (and so of every source deployment below).
KEYS = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "XIANGZHI_DATA_KEYS": "b1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    "XIANGZHI_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """backend -> a migrated empty database (an SQLite file, a PostgreSQL database to copy as a
    template), migrated by the real command the first time a test asks."""
    made: dict[str, str] = {}
    pg_made: list[str] = [""]  # the PostgreSQL database made, migrated or not, to drop

    def get(backend: str) -> str:
        if backend not in made:
            if backend == "sqlite":
                path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite3"
                url, name = f"sqlite:///{path}", str(path)
            else:
                name = pg_made[0] = _pg_name("migrated")
                _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                _pg_admin(f'CREATE DATABASE "{name}"')
                url = _pg_url(name)
            var = tmp_path_factory.mktemp("migrated-var")
            manage(deployment(var, url, KEYS), "migrate", "-v0")
            made[backend] = name  # only once migrated: a failed migrate fails every test asking
        return made[backend]

    yield get
    if pg_made[0]:
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_made[0]}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path, migrated):
    if request.param == "postgresql" and (reason := _pg_reason()):
        pytest.skip(reason)
    from django.db import connection

    if request.param != connection.vendor:  # CI runs the suite on each: each tests its own
        pytest.skip(f"本次测试用的是 {connection.vendor}：{request.param} 的备份在另一轮测试")
    dbs = Databases(request.param, tmp_path, migrated(request.param))
    yield dbs
    dbs.drop()


def deployment(var: Path, url: str, keys: dict | None) -> dict:
    """A deployment's environment: its own var/ (with keys in secrets.json, or none at all) and
    database, nothing of the test run's keys or settings."""
    var.mkdir(parents=True, exist_ok=True)
    if keys is not None:
        (var / "secrets.json").write_text(json.dumps(keys))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XIANGZHI_", "DJANGO_"))}
    env.pop("SECRET_KEY", None)  # set by the test run's settings: this one reads secrets.json
    env.update({"XIANGZHI_VAR_DIR": str(var), "DATABASE_URL": url})
    return env


def manage(env: dict, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if ok:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_backup_restores_into_a_fresh_database_and_reads_back_with_the_keys(databases, tmp_path):
    keys = KEYS
    id_number = make_id()
    source = deployment(tmp_path / "source", databases.new("source", migrated=True), keys)
    pk = int(
        manage(source, "shell", "-v0", "-c", SEED.format(id_number=id_number)).stdout.split()[-1]
    )
    assert manage(source, "shell", "-v0", "-c", READ.format(pk=pk)).stdout.strip() == id_number

    copy = tmp_path / "backup" / "xiangzhi.backup"
    kept = tmp_path / "keys" / "secrets.json"
    manage(source, "backup", "-o", str(copy), "--keys", str(kept))
    assert json.loads(kept.read_text()) == keys
    keys_only = tmp_path / "keys-only.json"  # the keys alone, e.g. after a rotation
    manage(source, "backup", "--keys", str(keys_only))
    assert json.loads(keys_only.read_text()) == keys
    assert kept.stat().st_mode & 0o777 == 0o600
    assert copy.stat().st_mode & 0o777 == 0o600
    assert id_number.encode() not in copy.read_bytes()  # ciphertext only

    # The documented restore: the kept secrets.json back in var/, a new empty database.
    restored = deployment(tmp_path / "restored", databases.new("restored"), None)
    (tmp_path / "restored" / "secrets.json").write_text(kept.read_text())
    done = manage(restored, "restore", str(copy))
    assert "数据密钥核对无误" in done.stdout
    assert manage(restored, "shell", "-v0", "-c", READ.format(pk=pk)).stdout.strip() == id_number
    # A restore never writes over a database in use.
    again = manage(restored, "restore", str(copy), ok=False)
    assert again.returncode != 0 and "已有" in again.stderr


def test_without_the_keys_a_restored_id_number_cannot_be_read(databases, tmp_path):
    keys = KEYS
    id_number = make_id()
    source = deployment(tmp_path / "source", databases.new("source", migrated=True), keys)
    pk = int(
        manage(source, "shell", "-v0", "-c", SEED.format(id_number=id_number)).stdout.split()[-1]
    )
    copy = tmp_path / "xiangzhi.backup"
    manage(source, "backup", "-o", str(copy))

    # secrets.json lost: the app makes new keys, and the restore says they do not fit.
    lost = deployment(tmp_path / "lost", databases.new("lost"), None)
    done = manage(lost, "restore", str(copy), ok=False)
    assert done.returncode != 0
    assert "数据密钥解不开" in done.stderr and "secrets.json" in done.stderr
    assert json.loads((tmp_path / "lost" / "secrets.json").read_text()) != keys
    # The rows are there, and the ID number is ciphertext no key in force opens.
    raw = manage(lost, "shell", "-v0", "-c", RAW.format(pk=pk)).stdout.strip()
    assert raw.startswith("x1:b1:") and id_number not in raw
    read = manage(lost, "shell", "-v0", "-c", READ.format(pk=pk), ok=False)
    assert read.returncode != 0 and "DecryptionError" in read.stderr


def test_a_sqlite_backup_is_taken_while_a_writer_holds_the_database(tmp_path, migrated):
    """The online backup API copies a consistent snapshot while a transaction is open."""
    shutil.copyfile(migrated("sqlite"), tmp_path / "db.sqlite3")
    source = deployment(tmp_path / "source", f"sqlite:///{tmp_path / 'db.sqlite3'}", KEYS)
    writer = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("CREATE TABLE half_done (x)")  # not committed: not in the backup
    try:
        manage(source, "backup", "-o", str(tmp_path / "copy.sqlite3"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "people_resident" in tables and "half_done" not in tables
