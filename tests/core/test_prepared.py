"""core/prepared.py: a hot read statement is planned once per PostgreSQL connection."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from xiangzhi.core import prepared

pytestmark = pytest.mark.django_db
postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL"
)


def server_statements() -> dict[str, str]:
    """This session's prepared statements on the server: name -> text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def test_a_statement_answers_the_same_prepared_or_not():
    sql = "SELECT %s + 1, 'a%%b'"
    plain = prepared.fetch(sql, [41], prepare=False)
    assert plain == [(42, "a%b")]
    assert prepared.fetch(sql, [41]) == plain
    assert prepared.fetch(sql, [1]) == [(2, "a%b")]


@postgresql
def test_postgresql_prepares_a_statement_once_per_connection():
    sql = "SELECT count(*) FROM grid_gridnode WHERE level = %s AND code <> %s"
    with CaptureQueriesContext(connection) as ctx:
        for level in (1, 2, 1):
            prepared.fetch(sql, [level, "x"])
    # Logged and wrapped like any statement of Django's.
    assert [q["sql"] for q in ctx.captured_queries].count(
        sql.replace("%s", "1", 1).replace("%s", "'x'")
    ) == 2
    mine = [text for text in server_statements().values() if "grid_gridnode" in text]
    assert mine == ["SELECT count(*) FROM grid_gridnode WHERE level = $1 AND code <> $2"]
    # Django's own statements stay unprepared: psycopg's preparation is off again.
    assert connection.connection.prepare_threshold is None
    list(connection.cursor().execute("SELECT 1"))
    assert len(server_statements()) == 1


@postgresql
def test_at_most_prepared_max_statements_are_kept_per_connection():
    for i in range(prepared.PREPARED_MAX + 5):
        assert prepared.fetch(f"SELECT %s + {i}", [1]) == [(1 + i,)]
    kept = server_statements()
    assert len(kept) <= prepared.PREPARED_MAX + 1
    assert "SELECT $1 + 0" not in kept.values()  # the oldest was deallocated


@postgresql
def test_a_statement_postgresql_cannot_prepare_runs_as_it_is_in_the_same_transaction():
    # $1 alone, compared with nothing, has no type PostgreSQL can infer from None's "unknown".
    sql = "SELECT %s IS NULL, pg_typeof(%s)"
    with transaction.atomic():
        assert prepared.fetch(sql, [None, None])[0][0] is True
        assert (sql, (type(None), type(None))) in prepared._REFUSED
        assert prepared.fetch("SELECT %s + 1", [1]) == [(2,)]  # the transaction is usable


@postgresql
def test_it_stays_off_where_the_deployment_says_a_pooler_cannot_carry_it():
    with override_settings(XIANGZHI_PG_PREPARE=False):
        assert prepared.fetch("SELECT %s + 2", [1]) == [(3,)]
    original = connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    try:
        assert prepared.fetch("SELECT %s + 3", [1]) == [(4,)]
    finally:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = original
    assert not [t for t in server_statements().values() if t.startswith("SELECT $1 + ")]


@postgresql
def test_a_real_error_is_the_callers_not_a_refusal():
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        prepared.fetch("SELECT 1 / %s", [0])
    assert ("SELECT 1 / %s", (int,)) not in prepared._REFUSED


@postgresql
def test_an_int_is_bound_wide_enough_for_the_arithmetic_written_in_sql_would_allow():
    # psycopg types 20000 as a smallint; the same SQL with the values written in does not overflow.
    assert prepared.fetch("SELECT %s + %s", [20000, 20000]) == [(40000,)]
    assert prepared.fetch("SELECT %s * 3", [2**40]) == [(3 * 2**40,)]


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_deallocate_all_behind_psycopgs_back_costs_one_run_not_every_later_one():
    sql = "SELECT count(*) FROM grid_gridnode WHERE level >= %s"
    assert prepared.fetch(sql, [0]) == prepared.fetch(sql, [0], prepare=False)
    for reset in ("DEALLOCATE ALL", "DISCARD ALL"):
        with connection.cursor() as cursor:
            cursor.execute(reset)
        # Outside a transaction (a page's read): answered at once, and prepared again after.
        assert prepared.fetch(sql, [0]) == [(0,)]
        assert prepared.fetch(sql, [0]) == [(0,)]
        assert any("grid_gridnode" in t for t in server_statements().values())
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    # Inside one, that transaction is lost (PostgreSQL aborted it), the next one works.
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        prepared.fetch(sql, [0])
    with transaction.atomic():
        assert prepared.fetch(sql, [0]) == [(0,)]


@postgresql
def test_a_failure_to_log_the_statement_does_not_hide_its_answer(monkeypatch):
    def broken(*args):
        raise RuntimeError("the connection is closed")

    monkeypatch.setattr(connection.ops, "compose_sql", broken)
    with CaptureQueriesContext(connection) as ctx:
        assert prepared.fetch("SELECT %s + 4", [1]) == [(5,)]
    assert ctx.captured_queries[-1]["sql"] == "SELECT %s + 4"
