"""The database set-up that keeps pages fast: planner statistics after migrations."""

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite drops statistics on table copies")
def test_migrations_leave_fresh_planner_statistics_on_sqlite(world):
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # creates sqlite_stat1 if it is missing
        cur.execute("DELETE FROM sqlite_stat1")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'people_resident'")
        assert cur.fetchone()[0] > 0


def _resident_stats() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'people_resident'")
        return cur.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's autovacuum analyzes")
@pytest.mark.parametrize("threshold, refreshed", [(1, True), (10_000, False)])
def test_a_large_import_refreshes_the_statistics(
    world, tmp_path, monkeypatch, threshold, refreshed
):
    from xiangzhi.people.services import imports

    from ..factories import make_id
    from ..xlsx_helpers import make_sheet

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("DELETE FROM sqlite_stat1")
    monkeypatch.setattr(imports, "ANALYZE_AFTER_ROWS", threshold)
    grid = "/".join(n.name for n in (world.a.node, world.a.branch, world.a.group, world.a.grid))
    path = make_sheet(
        tmp_path / "r.xlsx",
        [["姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"]]
        + [["新户主", make_id(), "户主", "甲村新路1号", grid]],
    )
    report = imports.registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.created == 1, report.errors
    assert (_resident_stats() > 0) is refreshed
