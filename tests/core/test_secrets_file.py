"""var/secrets.json, the keys of a deployment that does not give them in its environment:
made private for a new installation only, and a lost, damaged or exposed one stops the start
with a message instead of a traceback or, worse, new keys over old data."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from xiangzhi.core.checks import keys_open_the_data

from .test_production_server import gunicorn_until_it_stops

ROOT = Path(__file__).resolve().parents[2]


def _env(var: Path) -> dict:
    """A deployment with its own var/ and the default SQLite database in it, no keys given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XIANGZHI_", "DJANGO_"))}
    for name in ("SECRET_KEY", "DATABASE_URL"):
        env.pop(name, None)
    env["XIANGZHI_VAR_DIR"] = str(var)
    return env


def _manage(var: Path, *args: str, extra: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**_env(var), **(extra or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_new_installation_gets_private_keys_and_a_lost_file_stops_the_start(tmp_path):
    var = tmp_path / "var"
    done = _manage(var, "migrate", "-v0")
    assert done.returncode == 0, done.stderr
    keys = var / "secrets.json"
    assert keys.stat().st_mode & 0o777 == 0o600
    assert set(json.loads(keys.read_text())) == {
        "SECRET_KEY",
        "XIANGZHI_DATA_KEYS",
        "XIANGZHI_INDEX_KEY",
    }
    assert not list(var.glob(".secrets.*"))  # the part written before the link is gone
    # The file lost, the database kept: no new keys over the old data.
    keys.unlink()
    done = _manage(var, "check")
    assert done.returncode == 3
    assert "找不到密钥文件" in done.stderr and "Traceback" not in done.stderr
    assert not keys.exists()
    # The same database named by DATABASE_URL is the same database.
    url = {"DATABASE_URL": f"sqlite:///{var / 'xiangzhi.sqlite3'}"}
    done = _manage(var, "check", extra=url)
    assert done.returncode == 3 and "找不到密钥文件" in done.stderr
    assert not keys.exists()
    # A link to a file that is gone: said, not an interpreter crash.
    keys.symlink_to(tmp_path / "gone" / "secrets.json")
    done = _manage(var, "check")
    assert done.returncode == 3 and "指向的文件不存在" in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"SECRET_KEY": "x", "XIANG', "读不出来"),
        ('{"SECRET_KEY": "x"}', "缺少 XIANGZHI_DATA_KEYS"),
        ("[1, 2]", "内容不对"),
        ("[" * 100_000, "读不出来"),
    ],
)
def test_a_damaged_keys_file_stops_the_start_with_a_message(tmp_path, content, said):
    var = tmp_path / "var"
    var.mkdir()
    (var / "secrets.json").write_text(content)
    done = _manage(var, "check")
    assert done.returncode == 3
    assert said in done.stderr and "Traceback" not in done.stderr


def test_the_production_server_stops_on_a_damaged_keys_file(tmp_path):
    """Not a worker started again and again: gunicorn stops when a worker fails to boot."""
    var = tmp_path / "var"
    var.mkdir()
    (var / "secrets.json").write_text('{"SECRET_KEY": ')
    env = {**_env(var), "XIANGZHI_WEB_WORKERS": "1", "XIANGZHI_PORT": "0"}
    done = gunicorn_until_it_stops(env)
    assert done.returncode != 0
    assert done.stderr.count("乡治无法启动") == 1, done.stderr


def test_a_keys_file_others_can_read_is_a_deploy_warning(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "XIANGZHI_DATA_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "XIANGZHI_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    path = var / "secrets.json"
    path.write_text(json.dumps(keys))
    path.chmod(0o644)
    done = _manage(var, "check", "--deploy")
    assert "xiangzhi.W002" in done.stdout + done.stderr
    path.chmod(0o600)
    done = _manage(var, "check", "--deploy")
    assert "xiangzhi.W002" not in done.stdout + done.stderr


@pytest.mark.django_db
def test_keys_that_do_not_open_the_data_fail_the_database_check(world, monkeypatch):
    """The check migrate runs (Django runs the database-tagged checks with its databases)."""
    assert keys_open_the_data(databases=["default"]) == []
    other = "x9:" + base64.b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setattr(settings, "XIANGZHI_DATA_KEYS", other)
    (error,) = keys_open_the_data(databases=["default"])
    assert error.id == "xiangzhi.E004" and "解不开" in error.msg
    assert keys_open_the_data(databases=None) == []  # checks without a database: not run


@pytest.mark.django_db
def test_an_index_key_that_does_not_make_the_kept_indexes_fails_the_database_check(
    world, monkeypatch
):
    """With another index key every lookup by number and the ID duplicate check find nothing."""
    from xiangzhi.people.models import Resident

    assert Resident.objects.exclude(id_number_index=None).exclude(id_number_index="").exists()
    assert keys_open_the_data(databases=["default"]) == []
    other = base64.b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setattr(settings, "XIANGZHI_INDEX_KEY", other)
    (error,) = keys_open_the_data(databases=["default"])
    assert error.id == "xiangzhi.E004" and "索引密钥" in error.msg and "--reindex" in error.msg
