"""The production server of `make serve` (issue 11, point 4): gunicorn with the project's config,
DEBUG off, static files collected with hashed names and served by WhiteNoise. The real server is
started on a free port and fetched over HTTP."""

from __future__ import annotations

import gzip
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    """A free port, within XIANGZHI_TEST_PORTS ("18100-18199") when set, else any."""
    lo, _, hi = os.environ.get("XIANGZHI_TEST_PORTS", "0-0").partition("-")
    for port in range(int(lo), int(hi) + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port in XIANGZHI_TEST_PORTS")


def production_env(var: Path, **extra: str) -> dict:
    """The environment of a deployment: none of the test run's keys, flags or var/ directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XIANGZHI_", "DJANGO_"))}
    env.update(
        {
            "XIANGZHI_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
            "XIANGZHI_STATIC_MANIFEST": "1",
            # Plain HTTP on the loopback, as behind a TLS proxy on the same host.
            "XIANGZHI_HTTPS": "0",
            **extra,
        }
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def collectstatic(env: dict) -> None:
    """`manage.py collectstatic` as a deployment runs it: hashed names, gzip, and no Brotli.

    Brotli is no dependency of the app (a deployment installs none); it comes into a development
    checkout with locust, the load tool, and WhiteNoise then compresses every file with it too, at
    its slowest setting: 37 of the 41 CPU seconds the collection took, once per database run of
    the suite. The collection below hides it, as a deployment's environment does."""
    run = (
        "import runpy, sys; sys.modules['brotli'] = None; "
        "sys.argv = ['manage.py', 'collectstatic', '--noinput', '-v0']; "
        "runpy.run_path('manage.py', run_name='__main__')"
    )
    subprocess.run([sys.executable, "-c", run], cwd=ROOT, env=env, check=True, capture_output=True)


def fetch(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    try:
        return urllib.request.urlopen(request, timeout=10)  # noqa: S310 - the loopback
    except urllib.error.HTTPError as err:
        return err


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = production_env(
        var, XIANGZHI_BIND=f"127.0.0.1:{port}", XIANGZHI_WEB_WORKERS="2", XIANGZHI_WEB_THREADS="2"
    )
    manage(env, "migrate", "-v0")
    collectstatic(env)
    log = (var / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [str(GUNICORN), "-c", "python:xiangzhi.gunicorn_conf", "xiangzhi.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if fetch(base + "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, (var / "gunicorn.log").read_text()
            time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer /healthz in 30 s")
        yield base, proc, var
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_gunicorn_answers_healthz_with_debug_off(server):
    base, proc, var = server
    r = fetch(base + "/healthz")
    assert r.status == 200
    assert b'"database": "up"' in r.read()
    assert "gunicorn" in r.headers.get("Server", "")
    # DEBUG off: an unknown address gets the plain 404, not Django's technical page with the
    # URL patterns and settings.
    missing = fetch(base + "/no-such-page-here/")
    assert missing.status in (302, 404)
    body = missing.read().decode()
    assert "URLconf" not in body and "DEBUG = True" not in body
    # The workers' count and class come from gunicorn_conf (two workers asked for here).
    workers = subprocess.run(
        ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
    ).stdout.split()
    assert len(workers) == 2


def test_static_files_are_hashed_compressed_and_cached_by_whitenoise(server):
    base, _, _ = server
    login = fetch(base + "/login/")
    assert login.status == 200
    html = login.read().decode()
    href = re.search(r'href="(/static/core/app\.[0-9a-f]{12}\.css)"', html)
    assert href, "the login page links the hashed stylesheet"
    css = fetch(base + href.group(1), **{"Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in css.headers["Cache-Control"]
    assert b"{" in gzip.decompress(css.read())
    # The unhashed name is still served (a bookmark, an old page), but not cached for long.
    plain = fetch(base + "/static/core/app.css")
    assert plain.status == 200
    assert "max-age=315360000" not in plain.headers.get("Cache-Control", "")


def test_worker_count_follows_the_cores(monkeypatch):
    from xiangzhi import gunicorn_conf

    monkeypatch.delenv("XIANGZHI_WEB_WORKERS", raising=False)
    assert gunicorn_conf.worker_count(2) == 5
    assert gunicorn_conf.worker_count(8) == 17
    monkeypatch.setenv("XIANGZHI_WEB_WORKERS", "3")
    assert gunicorn_conf.worker_count(8) == 3


def gunicorn_until_it_stops(env: dict) -> subprocess.CompletedProcess:
    """The production server run with the project's config until it stops by itself."""
    return subprocess.run(
        [str(GUNICORN), "-c", "python:xiangzhi.gunicorn_conf", "xiangzhi.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_production_server_refuses_debug_mode(tmp_path):
    env = production_env(tmp_path, XIANGZHI_DEBUG="1", XIANGZHI_BIND=f"127.0.0.1:{free_port()}")
    done = gunicorn_until_it_stops(env)
    assert done.returncode != 0
    assert "debug mode" in done.stdout + done.stderr
