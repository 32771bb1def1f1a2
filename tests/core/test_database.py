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
