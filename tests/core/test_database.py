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
    from xiangzhi.core.sheets import engine
    from xiangzhi.people.services import imports

    from ..factories import make_id
    from ..xlsx_helpers import make_sheet

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("DELETE FROM sqlite_stat1")
    monkeypatch.setattr(engine, "ANALYZE_AFTER_ROWS", threshold)
    grid = "/".join(n.name for n in (world.a.node, world.a.branch, world.a.group, world.a.grid))
    path = make_sheet(
        tmp_path / "r.xlsx",
        [["姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"]]
        + [["新户主", make_id(), "户主", "甲村新路1号", grid]],
    )
    report = imports.registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.created == 1, report.errors
    assert (_resident_stats() > 0) is refreshed


def _indexes(table: str) -> dict[str, dict]:
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, table)
    # Unique constraints are indexes too (PostgreSQL reports them as constraints only).
    return {
        n: i
        for n, i in found.items()
        if (i["index"] or i["unique"]) and not i["primary_key"] and not i["foreign_key"]
    }


def _indexed_columns(table: str) -> list[tuple[str, ...]]:
    return sorted(tuple(i["columns"]) for i in _indexes(table).values())


def test_resident_table_keeps_only_the_indexes_a_query_uses(db):
    """Each index costs every write (an import writes 100,000 rows). One per searched column: no
    status index, no second index on the ID's blind index, and on PostgreSQL no `_like` twin
    except the pattern-operator ones that prefix search needs. (node, status) makes the recount
    of a village's figures on each write index-only (core/figures.py)."""
    assert _indexed_columns("people_resident") == [
        ("household_id",),
        ("id_number_index",),
        ("id_number_last4",),  # 尾号 search
        ("name_initials",),
        ("name_pinyin",),
        ("node_id",),
        ("node_id", "status"),
        ("phone_index",),
        ("phone_last4",),
        ("user_id",),
    ]
    unique = {n for n, i in _indexes("people_resident").items() if i["unique"]}
    assert "uniq_resident_id_number" in unique


def test_audit_table_keeps_only_the_indexes_the_search_uses(db):
    assert _indexed_columns("core_auditevent") == [
        ("action",),
        ("actor_id",),
        ("chain_id", "seq"),
        ("created_at",),
        ("node_id",),
        ("object_id",),
        ("object_type", "object_id"),
    ]


def _plan(sql: str, params: list) -> str:
    with connection.cursor() as cur:
        cur.execute(
            ("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params
        )
        return " ".join(str(r) for r in cur.fetchall())


def test_lookups_by_id_number_and_prefix_use_an_index(world):
    from xiangzhi.people.models import Resident

    qs = Resident.objects.filter(id_number_index__in=["a" * 64, "b" * 64]).values("pk")
    sql, params = qs.query.sql_with_params()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET enable_seqscan = off")  # the test table is tiny; ask what it can use
    plan = _plan(sql, list(params))
    if connection.vendor == "sqlite":  # the constraint is the table's own UNIQUE (autoindex)
        assert "SEARCH people_resident USING INDEX" in plan and "(id_number_index=?)" in plan
    else:
        assert "uniq_resident_id_number" in plan
    qs = Resident.objects.filter(name_pinyin__startswith="zhang").values("pk")
    sql, params = qs.query.sql_with_params()
    if connection.vendor == "postgresql":  # SQLite's LIKE is case-blind and uses no b-tree
        assert "resident_pinyin" in _plan(sql, list(params))


def test_residents_without_an_id_number_coexist_and_ids_stay_unique(world):
    from django.db import IntegrityError, transaction

    from xiangzhi.people.models import Resident

    a = world.a
    head = Resident.objects.filter(node__path__startswith=a.node.path).first()
    for name in ("无证甲", "无证乙"):
        r = Resident(household=head.household, node=head.node, name=name, gender="M", id_number="")
        r.save()
        assert Resident.objects.filter(pk=r.pk, id_number_index__isnull=True).exists()
    twin = Resident(
        household=head.household, node=head.node, name="重号", gender="M", id_number=head.id_number
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
