"""The load run of `make bench` (issue 11, point 5): the production server (gunicorn with
xiangzhi/gunicorn_conf.py) on a seeded county, locust headless as the clients.

Two runs on the same server: every client on the trivial logged-in page (the yardstick), then the
mix of bench/locustfile.py (grid pages at three levels, resident search, household pages, births
through the household page's form). Reported: requests per second of each and their ratio, p50
and p95 per route, errors (failed requests plus server errors in the log) and, on SQLite,
"database is locked" in the server's log.

    python bench/load.py DATABASE_URL [CLIENTS]

CLIENTS defaults to 32 on PostgreSQL and 8 on SQLite (docs/performance.md says why). Environment:
BENCH_LOAD_SECONDS (the mix, default 60), BENCH_LOAD_TRIVIAL_SECONDS (default 20),
BENCH_PORT_RANGE ("18100-18199": where to look for a free port; default any free port).
The server's keys are var/bench/secrets.json, the ones the bench databases were seeded with.
"""

from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VAR = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent
PASSWORD = "xiangzhi-demo"  # the demo accounts'
ACCOUNTS = ("demo_cun_ganbu", "demo_xianwei")  # bench/locustfile.py's village cadre, county reader


def free_port() -> int:
    lo, _, hi = os.environ.get("BENCH_PORT_RANGE", "0-0").partition("-")
    for port in range(int(lo), int(hi) + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise SystemExit("no free port in BENCH_PORT_RANGE")


def server_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "XIANGZHI_VAR_DIR": str(VAR),
            "DJANGO_SETTINGS_MODULE": "load_settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
            "XIANGZHI_HTTPS": "0",  # locust talks plain HTTP on the loopback
            "XIANGZHI_DEBUG": "0",
        }
    )
    env.pop("XIANGZHI_ACCESS_LOG", None)
    return env


def targets(database_url: str) -> dict:
    """The nodes and households the clients visit, read once before the run."""
    code = (
        "import json;"
        "from xiangzhi.accounts.models import User;"
        "from xiangzhi.grid.models import GridNode;"
        "from xiangzhi.people.models import Household;"
        "v = User.objects.get(username='demo_cun_ganbu').role_assignments.get().node;"
        "hh = list(Household.objects.filter(node__path__startswith=v.path, status='active')"
        ".order_by('id').values_list('id', flat=True)[:200]);"
        "print(json.dumps({'county': GridNode.objects.get(level=0).pk, 'township': v.parent_id,"
        " 'village': v.pk, 'households': hh}))"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT,
        env=server_env(database_url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def wait_ready(base: str, proc: subprocess.Popen, log: Path) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz")


def log_in(base: str, username: str) -> dict:
    """Log in through the login form; the session's cookies."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/login/", timeout=60).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(urllib.request.Request(base + "/login/", data=body), timeout=60).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"{username} could not log in")
    return cookies


def locust(base: str, profile: str, clients: int, seconds: int, tgt: dict, prefix: Path) -> dict:
    sessions = {name: log_in(base, name) for name in ACCOUNTS}
    env = dict(
        os.environ,
        LOAD_PROFILE=profile,
        LOAD_TARGETS=json.dumps(tgt),
        LOAD_SESSIONS=json.dumps(sessions),
    )
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f", str(HERE / "locustfile.py"),
            "--headless", "--only-summary", "--loglevel", "WARNING",
            "-u", str(clients), "-r", str(clients), "-t", f"{seconds}s",
            "--host", base, "--csv", str(prefix), "--exit-code-on-error", "0",
        ],
        cwd=HERE,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
            }
    # An exception in a client's task is no request and no failure in locust's table: an error.
    with open(f"{prefix}_exceptions.csv", newline="") as f:
        rows["exceptions"] = {"count": sum(int(r["Count"]) for r in csv.DictReader(f))}
    return rows


def summarise(rows: dict) -> dict:
    """Throughput, requests and failures over the routes."""
    measured = {k: v for k, v in rows.items() if k not in ("Aggregated", "exceptions")}
    return {
        "exceptions": rows["exceptions"]["count"],
        "rps": round(sum(v["rps"] for v in measured.values()), 1),
        "requests": sum(v["requests"] for v in measured.values()),
        "failures": sum(v["failures"] for v in measured.values()),
        "routes": measured,
    }


def main(database_url: str, clients: int | None = None) -> dict:
    sqlite = database_url.startswith("sqlite")
    clients = clients or (8 if sqlite else 32)
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
    trivial_seconds = int(os.environ.get("BENCH_LOAD_TRIVIAL_SECONDS", "20"))
    VAR.mkdir(parents=True, exist_ok=True)
    tgt = targets(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(database_url)
    env["XIANGZHI_BIND"] = f"127.0.0.1:{port}"
    log = VAR / f"load-{'sqlite' if sqlite else 'postgresql'}-server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:xiangzhi.gunicorn_conf", "xiangzhi.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_ready(base, server, log)
            prefix = VAR / "locust"
            trivial = summarise(locust(base, "trivial", clients, trivial_seconds, tgt, prefix))
            mix = summarise(locust(base, "mix", clients, seconds, tgt, prefix))
        finally:
            server.terminate()
            server.wait(timeout=60)
    text = log.read_text()
    locked = text.count("database is locked")
    server_errors = text.count("Internal Server Error")
    workers = env.get("XIANGZHI_WEB_WORKERS") or 2 * (os.cpu_count() or 1) + 1
    threads = env.get("XIANGZHI_WEB_THREADS") or 4  # xiangzhi/gunicorn_conf.py's defaults
    return {
        "server": f"gunicorn, {workers} workers x {threads} threads",
        "clients": clients,
        "seconds": seconds,
        "trivial": trivial,
        "mix": mix,
        "throughput_ratio": round(mix["rps"] / max(trivial["rps"], 0.001), 3),
        "errors": sum(run["failures"] + run["exceptions"] for run in (trivial, mix))
        + server_errors,
        "database_locked": locked,
    }


def table_rows(backend: str, load: dict) -> list[str]:
    """The rows of bench/results.md and docs/performance.md for one database's load run."""
    mix = load["mix"]
    lines = [
        f"| load, {load['clients']} clients, {load['seconds']} s ({load['server']}) | {backend} | "
        f"{mix['rps']} requests/s, {mix['requests']:,} requests | trivial logged-in page "
        f"{load['trivial']['rps']} requests/s | {load['throughput_ratio']}x (throughput) | "
        f"errors {load['errors']} {'✓' if load['errors'] == 0 else '✗'}; "
        f"database is locked {load['database_locked']} |"
    ]
    for name, v in mix["routes"].items():
        lines.append(
            f"| load: {name} | {backend} | p50 {v['p50_ms']:.0f} ms, p95 {v['p95_ms']:.0f} ms, "
            f"{v['rps']} requests/s | — | — | failures {v['failures']} |"
        )
    return lines


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)))
