"""One import run in a fresh process: `ours` (the real import) or `floor` (calamine read plus one
executemany into a scratch table). Prints a JSON line with seconds, rows and peak RSS."""

from __future__ import annotations

import json
import sys
import time

from common import peak_rss_mb, setup


def ours(path: str) -> dict:
    from django.db import connection

    from xiangzhi.accounts.models import User
    from xiangzhi.core import bulk
    from xiangzhi.people.services.imports import registry_import

    admin = User.objects.get(username="demo_admin")
    # Time spent in the database (statements, and COPY on PostgreSQL), to show where time goes.
    in_db = [0.0]

    def timed_statement(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_db[0] += time.perf_counter() - t

    copy_rows = bulk._copy_rows

    def timed_copy(*args, **kwargs):
        t = time.perf_counter()
        try:
            return copy_rows(*args, **kwargs)
        finally:
            in_db[0] += time.perf_counter() - t

    bulk._copy_rows = timed_copy
    t = time.perf_counter()
    with connection.execute_wrapper(timed_statement):
        report = registry_import(actor=admin, kind="residents", path=path)
    seconds = time.perf_counter() - t
    assert not report.errors, report.errors[:5]
    return {
        "seconds": seconds,
        "rows": report.rows,
        "created": report.created,
        "database_seconds": round(in_db[0], 2),
    }


def floor(path: str) -> dict:
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    rows = [tuple(str(c) for c in r[:11]) for r in sheet.iter_rows()][1:]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_floor")
        cur.execute("CREATE TABLE bench_floor (" + ", ".join(f"c{i} TEXT" for i in range(11)) + ")")
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany("INSERT INTO bench_floor VALUES (" + ", ".join(["%s"] * 11) + ")", rows)
    seconds = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_floor")
    return {"seconds": seconds, "rows": len(rows)}


if __name__ == "__main__":
    mode, database_url, path = sys.argv[1:4]
    setup(database_url)
    result = (ours if mode == "ours" else floor)(path)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(result))
