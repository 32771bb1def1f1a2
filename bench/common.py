"""Shared set-up for the benchmark scripts: each runs in its own process against one database."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"


def setup(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("XIANGZHI_VAR_DIR", str(BENCH_VAR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiangzhi.settings")
    os.environ.setdefault("XIANGZHI_HTTPS", "0")  # the test client talks plain HTTP
    import django

    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "n": len(ordered),
    }


def timed(fn, repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def client_for(user):
    """A test client logged in as the user, without test instrumentation: pages render as in
    production."""
    from django.test import Client

    c = Client(HTTP_HOST="localhost")
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def page(client, url: str):
    """A callable that GETs the page and checks it answered 200."""

    def go():
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)

    return go


def sql(statements):
    """A callable that runs the hand-written floor: each (statement, params), rows fetched."""
    from django.db import connection

    def go():
        with connection.cursor() as cur:
            for stmt, params in statements:
                cur.execute(stmt, params)
                cur.fetchall()

    return go
