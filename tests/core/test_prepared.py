"""core/prepared.py: a hot read statement is planned once per PostgreSQL connection."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiangzhi.core import prepared

pytestmark = pytest.mark.django_db


def test_a_statement_answers_the_same_prepared_or_not():
    sql = "SELECT %s + 1, 'a%%b'"
    plain = prepared.fetch(sql, [41], prepare=False)
    assert plain == [(42, "a%b")]
    assert prepared.fetch(sql, [41]) == plain
    assert prepared.fetch(sql, [1]) == [(2, "a%b")]


def test_dollars_number_the_placeholders_and_keep_a_literal_percent():
    assert prepared._dollars("a = %s AND b LIKE 'x%%' AND c = %s") == (
        "a = $1 AND b LIKE 'x%' AND c = $2"
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_postgresql_prepares_once_per_connection_then_executes():
    sql = "SELECT count(*) FROM grid_gridnode WHERE level = %s"
    with CaptureQueriesContext(connection) as ctx:
        for level in (1, 2, 1):
            prepared.fetch(sql, [level])
    statements = [q["sql"].split(" ", 1)[0] for q in ctx.captured_queries]
    assert statements.count("PREPARE") == 1 and statements.count("EXECUTE") == 3
    # Another connection (a new one after CONN_MAX_AGE) has its own statements, kept apart.
    assert prepared._names()[sql].startswith("xz_prepared_")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_a_statement_postgresql_cannot_prepare_runs_as_it_is_in_the_same_transaction():
    # $1 alone has no type PostgreSQL can infer: PREPARE is refused, inside a savepoint.
    sql = "SELECT %s IS NULL"
    assert prepared.fetch(sql, [None]) == [(True,)]
    assert sql in prepared._REFUSED
    assert prepared.fetch("SELECT %s + 1", [1]) == [(2,)]  # the transaction is still usable
