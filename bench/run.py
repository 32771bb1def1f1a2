"""`make bench`: every figure with its floor, measured in the same run on the same data.

For SQLite, and for PostgreSQL at 127.0.0.1:5432 when it answers:
  * import of a 100,000-row residents sheet (rows/s, peak RSS) against calamine + one executemany;
  * export of 100,000 residents against openpyxl write-only of the same values;
  * at county scale, p50/p95 of the resident list (pinyin search, as a village cadre) and of the
    grid page at a village and at the county node, against hand-written SQL for the same numbers;
  * the load run (bench/load.py): gunicorn under locust, the mix against a trivial logged-in page;
  * the accuracy of the appeals' routing suggestion on the demo's held-out appeals (bench/routing.py)
    against the keyword rules (SQLite only: accuracy does not depend on the database).
Writes bench/results.json, bench/results.md and docs/performance.md.
Environment: BENCH_ROWS (default 100000), BENCH_SKIP_PG=1.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from figures_table import figure_rows
from load import table_rows as load_rows

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VAR = ROOT / "var" / "bench"
PY = sys.executable
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
PG_BASE = "postgres://postgres@127.0.0.1:5432/"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def env(url: str) -> dict:
    e = dict(os.environ)
    e.update(
        {
            "DATABASE_URL": url,
            "XIANGZHI_VAR_DIR": str(VAR),
            "DJANGO_SETTINGS_MODULE": "xiangzhi.settings",
            # The benchmark's test client talks plain HTTP (no TLS redirect).
            "XIANGZHI_HTTPS": "0",
        }
    )
    return e


def run(args, url: str, capture=False) -> str:
    result = subprocess.run(
        args,
        cwd=ROOT,
        env=env(url),
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout if capture else ""


def pg_available() -> bool:
    if os.environ.get("BENCH_SKIP_PG") == "1":
        return False
    try:
        import psycopg

        psycopg.connect(
            "host=127.0.0.1 port=5432 dbname=postgres user=postgres", connect_timeout=3
        ).close()
        return True
    except Exception:  # noqa: BLE001
        return False


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        "host=127.0.0.1 port=5432 dbname=postgres user=postgres", autocommit=True
    ) as conn:
        conn.execute(sql)


def url_for(backend: str, name: str) -> str:
    return f"sqlite:///{VAR / (name + '.sqlite3')}" if backend == "sqlite" else PG_BASE + name


def drop(backend: str, name: str) -> None:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(VAR / name) + ".sqlite3" + suffix).unlink(missing_ok=True)
    else:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(backend: str, name: str, scale: str) -> str:
    """A seeded database, reused between runs (a marker file says it is complete)."""
    url = url_for(backend, name)
    marker = VAR / f"{backend}-{name}.ready"
    if marker.exists():
        log(f"{backend}: reusing {name}")
        run([PY, "manage.py", "migrate", "-v0"], url)  # a reused database gets new migrations
        return url
    drop(backend, name)
    if backend == "postgresql":
        pg_admin(f'CREATE DATABASE "{name}"')
    log(f"{backend}: migrating and seeding {name} ({scale})")
    t = time.perf_counter()
    run([PY, "manage.py", "migrate", "-v0"], url)
    run([PY, "manage.py", "seed_demo", "--scale", scale, "--seed", "1"], url, capture=True)
    if backend == "sqlite":
        import sqlite3

        with sqlite3.connect(VAR / f"{name}.sqlite3") as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("ANALYZE")
    else:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port=5432 dbname={name} user=postgres", autocommit=True
        ) as conn:
            conn.execute("VACUUM ANALYZE")
    marker.write_text(f"{time.perf_counter() - t:.1f}")
    log(f"{backend}: {name} ready in {time.perf_counter() - t:.0f} s")
    return url


def copy(backend: str, src: str, dst: str) -> str:
    drop(backend, dst)
    if backend == "sqlite":
        shutil.copyfile(VAR / f"{src}.sqlite3", VAR / f"{dst}.sqlite3")
    else:
        pg_admin(f'CREATE DATABASE "{dst}" TEMPLATE "{src}"')
    return url_for(backend, dst)


def json_line(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def bench_backend(backend: str, sheet: Path) -> dict:
    out: dict = {}
    town = prepare(backend, "xz_bench_town", "town")
    if not sheet.exists():
        log(f"writing the {ROWS}-row sheet")
        run([PY, str(HERE / "make_sheet.py"), town, str(sheet), str(ROWS)], town)
    for mode in ("floor", "ours"):
        url = copy(backend, "xz_bench_town", "xz_bench_import")
        log(f"{backend}: import {mode}")
        out[f"import_{mode}"] = json_line(
            run([PY, str(HERE / "import_bench.py"), mode, url, str(sheet)], url, capture=True)
        )
    drop(backend, "xz_bench_import")
    if backend == "sqlite":  # accuracy, not time: one database is enough
        log(f"{backend}: routing suggestion accuracy (held-out demo history)")
        out["routing"] = json_line(run([PY, str(HERE / "routing.py"), town], town, capture=True))
    county = prepare(backend, "xz_bench_county", "county")
    log(f"{backend}: export")
    out["export"] = json_line(
        run([PY, str(HERE / "export_bench.py"), county, str(ROWS)], county, capture=True)
    )
    log(f"{backend}: page latency")
    out["latency"] = json_line(run([PY, str(HERE / "latency.py"), county], county, capture=True))
    log(f"{backend}: points pages (two million entries)")
    out["points_latency"] = json_line(
        run([PY, str(HERE / "points_latency.py"), county], county, capture=True)
    )
    log(f"{backend}: county coverage page (a year of visits)")
    out["coverage_latency"] = json_line(
        run([PY, str(HERE / "coverage_latency.py"), county], county, capture=True)
    )
    log(f"{backend}: write cost of the figures")
    out["write_cost"] = json_line(
        run([PY, str(HERE / "write_cost.py"), county], county, capture=True)
    )
    log(f"{backend}: load run (gunicorn, locust)")  # last: its births are added to the county
    out["load"] = json_line(run([PY, str(HERE / "load.py"), county], county, capture=True))
    return out


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def table(results: dict) -> str:
    lines = ["| benchmark | database | ours | floor | ratio | goal |", "|---|---|---|---|---|---|"]
    for backend, r in results["results"].items():
        imp, flo = r["import_ours"], r["import_floor"]
        ratio = imp["seconds"] / flo["seconds"]
        lines.append(
            f"| import {imp['rows']:,} rows | {backend} | {imp['rows'] / imp['seconds']:,.0f} rows/s "
            f"({imp['seconds']:.1f} s, of which {imp.get('database_seconds', 0):.1f} s in the database), "
            f"peak RSS {imp['peak_rss_mb']:.0f} MB | {flo['rows'] / flo['seconds']:,.0f} rows/s "
            f"({flo['seconds']:.1f} s) | {ratio:.1f}x | "
            f"≤ 3x {'✓' if ratio <= 3 else '✗'}; RSS < 300 MB {'✓' if imp['peak_rss_mb'] < 300 else '✗'} |"
        )
        ex = r["export"]
        lines.append(
            f"| export {ex['rows']:,} rows | {backend} | {ex['rows'] / ex['seconds']:,.0f} rows/s | "
            f"{ex['rows'] / ex['floor_seconds']:,.0f} rows/s | {ex['seconds'] / ex['floor_seconds']:.1f}x | — |"
        )
        for name, v in r["latency"].items():
            if name == "request_overhead" or "ours" not in v:
                continue
            lines.append(
                f"| {name} | {backend} | p50 {v['ours']['p50_ms']} ms, p95 {v['ours']['p95_ms']} ms | "
                f"p50 {v['floor']['p50_ms']} ms, p95 {v['floor']['p95_ms']} ms | {v['p95_ratio']}x (p95); "
                f"{v.get('p95_ratio_fixed_plus_sql', '—')}x against fixed cost + SQL | "
                f"≤ 2x {'✓' if v['p95_ratio'] <= 2 else '✗'} |"
            )
        for name, v in r.get("points_latency", {}).items():
            if "ours" not in v:
                continue
            ratio = v["p95_ratio_fixed_plus_sql"]
            lines.append(
                f"| {name} | {backend} | p50 {v['ours']['p50_ms']} ms, p95 {v['ours']['p95_ms']} ms | "
                f"p50 {v['floor']['p50_ms']} ms, p95 {v['floor']['p95_ms']} ms | {ratio}x against "
                f"trivial page + SQL (p95) | ≤ 2x {'✓' if ratio <= 2 else '✗'} |"
            )
            if "layout_only" in v:  # the layout alone, and the page against layout + SQL
                lines.append(
                    f"| {name}: layout alone | {backend} | p95 {v['layout_only']['p95_ms']} ms | "
                    f"trivial page + SQL | {v['layout_ratio_fixed_plus_sql']}x for layout + SQL (no "
                    f"page can do better); the page against layout + SQL: "
                    f"{v['p95_ratio_layout_plus_sql']}x | — |"
                )
        cov = r.get("coverage_latency", {}).get("coverage_county_page")
        if cov:
            ratio = cov["p95_ratio_fixed_plus_sql"]
            lines.append(
                f"| coverage_county_page ({r['coverage_latency']['records']['visits']:,} visits) | "
                f"{backend} | p50 {cov['ours']['p50_ms']} ms, p95 {cov['ours']['p95_ms']} ms | "
                f"p50 {cov['floor']['p50_ms']} ms, p95 {cov['floor']['p95_ms']} ms | {ratio}x "
                f"against trivial page + SQL (p95) | ≤ 2x {'✓' if ratio <= 2 else '✗'} |"
            )
        lines += figure_rows(backend, r)
        lines += routing_rows(backend, r.get("routing"))
        o = r["latency"].get("request_overhead")
        if o:
            lines.append(
                f"| fixed cost of a request (context) | {backend} | /healthz p50 {o['healthz']['p50_ms']} ms; "
                f"trivial logged-in page p50 {o['logged_in_trivial_page']['p50_ms']} ms, "
                f"p95 {o['logged_in_trivial_page']['p95_ms']} ms; "
                f"/accounts/me/ p50 {o['logged_in_profile_page']['p50_ms']} ms | — | — | — |"
            )
        if "load" in r:
            lines += load_rows(backend, r["load"])
    return "\n".join(lines)


def routing_rows(backend: str, r: dict | None) -> list[str]:
    if not r or "model" not in r:
        return []
    rules = r.get("rules", {})
    return [
        f"| routing suggestion, {head} ({r['held_out']} held-out of {r['samples']} demo appeals) "
        f"| {backend} | {r['model'][head]:.1%} | keyword rules {rules.get(head, 0):.1%} | — | — |"
        for head in ("kind", "department")
        if head in r["model"]
    ]


def main() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    sheet = VAR / f"residents-{ROWS}.xlsx"
    backends = ["sqlite"] + (["postgresql"] if pg_available() else [])
    log(f"backends: {', '.join(backends)}")
    results = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "rows": ROWS,
        "results": {},
    }
    for backend in backends:
        results["results"][backend] = bench_backend(backend, sheet)
    (HERE / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    md = table(results)
    (HERE / "results.md").write_text(md + "\n")
    m = results["machine"]
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text() if doc.exists() else ""
    head = (
        text.split("<!-- bench:begin -->")[0]
        if "<!-- bench:begin -->" in text
        else "# Performance\n\n"
    )
    # What follows the generated section (the sessions' own notes) is kept as it is.
    tail = text.split("<!-- bench:end -->\n", 1)[1] if "<!-- bench:end -->\n" in text else ""
    doc.write_text(
        head + "<!-- bench:begin -->\n"
        f"Measured by `make bench` on {results['date']}: {m['cpu']}, {m['cores']} cores, {m['memory']}, "
        f"Python {m['python']}, {m['os']}.\n\n{md}\n<!-- bench:end -->\n" + tail
    )
    print(md)


if __name__ == "__main__":
    main()
