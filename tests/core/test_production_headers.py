"""Production headers (issue 10, point 6): what a deployment sends with DEBUG off and HTTPS on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _production_env(tmp_path) -> dict:
    # Nothing of the test run's environment: its keys, its var/ and any flag a test set.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XIANGZHI_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "xiangzhi.settings",
            "XIANGZHI_VAR_DIR": str(tmp_path),
            "XIANGZHI_DEBUG": "0",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    return env


def test_the_production_settings_pass_the_deploy_check(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_cookies_are_secure_and_https_is_required(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split()[-5:] == ["True"] * 5, done.stdout + done.stderr


def test_every_rendered_response_says_no_store_and_carries_the_headers(client, world, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    client.force_login(world.a.cadre)
    pages = [
        f"/people/residents/{world.a.head.pk}/",
        f"/people/households/{world.a.household.pk}/",
        "/people/residents/export/",
    ]
    for url in pages:
        r = client.get(url, secure=True)
        assert r.status_code == 200, url
        cache = r.headers["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"
        assert "max-age=3600" in r.headers["Strict-Transport-Security"]
        csp = r.headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in csp
    from django.test import Client

    login = Client().get("/login/", secure=True)
    assert login.status_code == 200 and "no-store" in login.headers["Cache-Control"]
    api = client.get(
        f"/api/v1/residents/{world.a.head.pk}", HTTP_AUTHORIZATION=f"Bearer {world.a.token}"
    )
    assert api.status_code == 200 and "no-store" in api.headers["Cache-Control"]


def test_pages_carry_no_inline_script():
    """The CSP forbids inline scripts: no template may rely on one."""
    import re

    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|\son[a-z]+=\"", re.I
    )
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "xiangzhi").rglob("*.html")
        if inline.search(p.read_text())
    ]
    assert offenders == []


def test_the_deploy_check_warns_of_a_proxy_without_a_proxy_count(tmp_path):
    env = {**_production_env(tmp_path), "XIANGZHI_PROXY_SSL_HEADER": "1"}
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "xiangzhi.W001" in done.stdout + done.stderr
    env["XIANGZHI_PROXY_COUNT"] = "1"
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
