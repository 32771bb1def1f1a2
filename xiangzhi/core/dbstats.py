"""Planner statistics on SQLite.

SQLite plans queries from statistics that only ANALYZE refreshes. Without them, or with those of a
much smaller database, the county resident list took 350 ms instead of 8. They are refreshed after
migrations (a table copy drops them) and after large imports (which change table sizes). ANALYZE
takes about 0.6 s on the county benchmark database. PostgreSQL's autovacuum keeps its own.
"""

from __future__ import annotations

from django.db import connections


def refresh_planner_statistics(using: str = "default") -> bool:
    """Run ANALYZE on SQLite; return whether it ran."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True
