"""The two tiers of the maintained figures (core/figures.py): a write recounts the fine rows of
its own node and carries the difference to its village's row, without recounting the village;
verify_figures checks and repairs both tiers; `migrate` fills the rows of an existing database."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_id
from xiangzhi.core import figures
from xiangzhi.core.models import FigureCount, FigureFineCount
from xiangzhi.core.paths import next_prefix
from xiangzhi.people.models import Resident
from xiangzhi.people.services import ResidentData, resident_add


def born(world, household) -> Resident:
    when = dt.date(2020, 1, 1)
    return resident_add(
        actor=world.admin,
        household=household,
        kind="birth",
        occurred_on=when,
        data=ResidentData(
            name="甲新生", id_number=make_id(when, "F"), relation=Resident.Relation.CHILD
        ),
    )


def village_row(world, key="residents") -> int:
    return FigureCount.objects.get(path=world.a.node.path, key=key, period="").value


def test_fine_rows_count_the_records_of_their_own_node(world):
    node = world.a.household.node
    fine = FigureFineCount.objects.get(path=node.path, key="residents", period="")
    assert fine.value == Resident.objects.filter(node=node, status="active").count() > 0
    # The village's row is the sum of the fine rows of its subtree.
    fine_sum = sum(
        FigureFineCount.objects.filter(path__under=world.a.node.path, key="residents").values_list(
            "value", flat=True
        )
    )
    assert village_row(world) == fine_sum == 3


def test_a_write_adds_its_difference_and_does_not_recount_the_village(world, settings):
    # A village row off by 5 stays off by 5 after a birth: the write added +1 to it instead of
    # recounting the village's records (which would have repaired it).
    settings.XIANGZHI_FIGURES_CHECK_SKIPPED = False  # its recount would be a second statement
    FigureCount.objects.filter(path=world.a.node.path, key="residents").update(value=3 + 5)
    with CaptureQueriesContext(connection) as ctx:
        born(world, world.a.household)
    assert village_row(world) == 4 + 5
    # The recount reads the household's node only: no statement ranges over the village.
    recount = [q["sql"] for q in ctx.captured_queries if "UNION ALL" in q["sql"]]
    assert len(recount) == 1 and next_prefix(world.a.node.path) not in recount[0]
    assert f'"node_id" = {world.a.household.node.pk}' in recount[0]
    # Only the figures over the tables a birth writes: not the appeals' or the points'.
    assert '"people_resident"' in recount[0]
    for table in ("appeals_appeal", "points_pointentry", "contract_notice"):
        assert f'"{table}"' not in recount[0]
    diffs = figures.verify()
    assert [(d.path, d.key, d.kept, d.counted, d.fine) for d in diffs] == [
        (world.a.node.path, "residents", 9, 4, False)
    ]
    figures.verify(fix=True)
    assert village_row(world) == 4 and figures.verify() == []


def test_verify_figures_names_a_wrong_fine_row_and_fix_repairs_it(world):
    node = world.a.household.node
    FigureFineCount.objects.filter(path=node.path, key="residents").update(value=42)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_figures", stdout=out, stderr=StringIO())
    assert "本网格的记录" in out.getvalue() and "统计表 42" in out.getvalue()
    call_command("verify_figures", "--fix", stdout=StringIO())
    assert figures.verify() == []
    # A later write starts from the repaired fine row: its difference is right.
    born(world, world.a.household)
    assert village_row(world) == 4 and figures.verify() == []


def test_migrate_fills_the_rows_of_a_database_that_has_none(world):
    FigureFineCount.objects.all().delete()
    FigureCount.objects.all().delete()
    assert figures.verify() != []
    call_command("migrate", verbosity=0)  # nothing to apply: post_migrate fills the rows
    assert figures.verify() == []
    assert village_row(world) == 3
    # Rows present: migrate leaves them alone (a wrong one stays for verify_figures to name).
    FigureCount.objects.filter(path=world.a.node.path, key="residents").update(value=7)
    call_command("migrate", verbosity=0)
    assert village_row(world) == 7


def second_waits_on_first(first, second) -> list[Exception]:
    """Run first() in a transaction held open, then second() in another thread's transaction;
    check that second() waits (on a row lock of first's) until first commits. Return the
    errors of both."""
    import threading

    from django.db import connections, transaction

    held, release, second_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[Exception] = []

    def hold():
        try:
            with transaction.atomic():
                first()
                held.set()
                release.wait(20)
        except Exception as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)
        finally:
            connections.close_all()

    def wait():
        try:
            assert held.wait(20)
            with transaction.atomic():
                second()
            second_done.set()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hold), threading.Thread(target=wait)]
    for t in threads:
        t.start()
    try:
        assert held.wait(20)
        assert not second_done.wait(1)  # it queues on the first's rows
    finally:
        release.set()
        for t in threads:
            t.join()
    assert second_done.is_set() or errors
    return errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_writes_on_two_nodes_of_one_village_add_up_without_losing_either():
    """Two writes under one village recount different nodes and both add +1 to the village's
    row: the second waits for the first's row lock and adds to the committed value."""
    from tests.factories import UserFactory
    from xiangzhi.grid.services import node_create

    admin = UserFactory(username="delta_admin", is_superuser=True)
    town = node_create(actor=admin, parent=None, name="差镇")
    village = node_create(actor=admin, parent=town, name="差村")
    errors = second_waits_on_first(
        lambda: node_create(actor=admin, parent=village, name="差一支部"),
        lambda: node_create(actor=admin, parent=village, name="差二支部"),
    )
    assert errors == []
    row = FigureCount.objects.get(path=village.path, key="grid_nodes:3", period="")
    assert row.value == 2
    assert figures.verify() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_a_writes_recount_is_planned_once_per_connection_and_counts_the_same(world, settings):
    settings.XIANGZHI_FIGURES_CHECK_SKIPPED = False

    def recounts() -> dict[str, int]:
        """The prepared recounts of this connection, with how often each ran."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
            )
            return {t: n for t, n in cursor.fetchall() if "UNION ALL" in t}

    before = recounts()
    born(world, world.a.household)
    born(world, world.a.household)
    after = recounts()
    ran = {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)}
    # One prepared statement served both births' recounts (the node's id is a parameter, $n).
    assert list(ran.values()) == [2]
    assert '"people_resident"' in next(iter(ran)) and "$1" in next(iter(ran))
    assert village_row(world) == 5 and figures.verify() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_refresh_that_waited_on_a_nodes_rows_reads_the_row_the_other_write_inserted():
    """The lock and the read of a node's fine rows go in one round trip on PostgreSQL, and the
    read still runs after the lock was granted, on a new snapshot: a write that waited for
    another on the same node sees the row that one inserted (else it would add that row's
    whole value to the village a second time)."""
    from tests.factories import UserFactory
    from xiangzhi.core.figure_rows import fine_kept, upsert_tiers
    from xiangzhi.grid.services import node_create

    admin = UserFactory(username="wait_admin", is_superuser=True)
    town = node_create(actor=admin, parent=None, name="等镇")
    village = node_create(actor=admin, parent=town, name="等村")
    path = village.path
    assert fine_kept([path])  # the node has rows: the second write queues on them
    read = []

    def first():
        fine_kept([path])
        upsert_tiers({(path, "zz_new", ""): 7}, {})

    errors = second_waits_on_first(first, lambda: read.append(fine_kept([path])))
    assert errors == []
    assert read[0][(path, "zz_new", "")][1] == 7


def _traced(run) -> list[str]:
    """The protocol messages run() exchanged with the server (libpq's trace): "F Parse", "B
    DataRow" ..., one a line."""
    import tempfile

    from psycopg import pq

    pgconn = connection.connection.pgconn
    with tempfile.TemporaryFile(mode="w+") as out:
        pgconn.trace(out.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            run()
        finally:
            pgconn.untrace()
        out.seek(0)
        return [" ".join(line.split("\t")[0:3:2]) for line in out.read().splitlines()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pipeline mode: PostgreSQL")
def test_a_writes_refresh_takes_two_round_trips(world, settings):
    """A write's lock, read and recount of its node go in one round trip (prepared, pipelined),
    and both tiers' upserts in a second one."""
    settings.XIANGZHI_FIGURES_CHECK_SKIPPED = False
    node = world.a.household.node
    figures.refresh({node.path: node.level})  # each statement's first run goes alone
    from django.db import transaction

    fine = FigureFineCount.objects.filter(path=node.path, key="residents", period="")
    counted = fine.get().value
    with transaction.atomic():
        # A fine row off by 5: the refresh finds it and writes both tiers.
        fine.update(value=counted + 5)
        messages = _traced(lambda: figures.refresh({node.path: node.level}))
    # A round trip ends with the server's ReadyForQuery.
    assert messages.count("B ReadyForQuery") == 2
    first = messages[: messages.index("B ReadyForQuery")]
    assert first.count("F Execute") == 3 and "F Parse" not in first  # prepared before
    # All three were sent before the server answered the first.
    assert max(i for i, m in enumerate(first) if m == "F Execute") < first.index("B BindComplete")
    assert fine.get().value == counted
    assert village_row(world) == 3 - 5 and figures.verify() != []  # the difference was added
    figures.verify(fix=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_pipelined_refresh_that_waited_recounts_what_the_other_write_committed(monkeypatch):
    """The recount goes in the same round trip as the lock, yet runs after the lock is granted,
    on a new snapshot: a write that waited on the node counts the household the other one
    committed meanwhile (else it would take that household away from the village again)."""
    import psycopg

    from tests.factories import UserFactory
    from xiangzhi.grid.services import node_create
    from xiangzhi.people.models import Household

    admin = UserFactory(username="pipe_admin", is_superuser=True)
    town = node_create(actor=admin, parent=None, name="管镇")
    village = node_create(actor=admin, parent=town, name="管村")
    branch = node_create(actor=admin, parent=village, name="管支部")

    def add_household(n: int) -> None:
        Household.objects.create(node=branch, address=f"管村{n}号")
        figures.refresh({branch.path: branch.level})

    add_household(1)  # proves the statements: the two below go pipelined
    pipelines = []
    pipeline = psycopg.Connection.pipeline

    def counted(self):
        pipelines.append(self)
        return pipeline(self)

    monkeypatch.setattr(psycopg.Connection, "pipeline", counted)
    errors = second_waits_on_first(lambda: add_household(2), lambda: add_household(3))
    assert errors == []
    assert len(set(pipelines)) == 2  # each thread's refresh went in a pipeline, on its connection
    assert FigureCount.objects.get(path=village.path, key="households", period="").value == 3
    assert figures.verify() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pipeline mode: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_pipeline_whose_statements_were_deallocated_loses_its_transaction_only():
    """A DEALLOCATE ALL behind psycopg's back (core/prepared.py): the pipelined refresh fails
    with Django's error, its transaction rolls back, and the next write prepares them again."""
    from django.db import DatabaseError, transaction

    from tests.factories import UserFactory
    from xiangzhi.grid.services import node_create
    from xiangzhi.people.models import Household

    admin = UserFactory(username="dealloc_admin", is_superuser=True)
    town = node_create(actor=admin, parent=None, name="释镇")
    village = node_create(actor=admin, parent=town, name="释村")

    def add_household(n: int) -> None:
        with transaction.atomic():
            Household.objects.create(node=village, address=f"释村{n}号")
            figures.refresh({village.path: village.level})

    add_household(1)
    assert _traced(lambda: add_household(2)).count("F Execute") >= 3  # pipelined
    # Outside a transaction the three go one by one (a pipeline's error would lose them all).
    outside = _traced(lambda: figures.refresh({village.path: village.level}))
    assert outside.count("B ReadyForQuery") >= 3
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    with pytest.raises(DatabaseError):
        add_household(3)
    assert Household.objects.filter(node=village).count() == 2  # rolled back, nothing half-kept
    messages = _traced(lambda: add_household(4))
    assert "F Parse" in messages  # prepared again
    add_household(5)
    assert FigureCount.objects.get(path=village.path, key="households", period="").value == 4
    assert figures.verify() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pipeline mode: PostgreSQL")
@pytest.mark.django_db
def test_fetch_each_goes_one_by_one_where_libpq_has_no_pipelines(monkeypatch):
    """psycopg's pipeline mode needs libpq 14: with an older one the statements go one by one."""
    import psycopg

    from xiangzhi.core import prepared

    statements = [("SELECT %s + 1", [1]), ("SELECT %s * 3", [2])]

    def round_trips() -> int:
        return _traced(lambda: prepared.fetch_each(statements)).count("B ReadyForQuery")

    assert prepared.fetch_each(statements) == [[(2,)], [(6,)]]  # proves both
    assert round_trips() == 1
    monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda cls: False))
    assert prepared.fetch_each(statements) == [[(2,)], [(6,)]]
    assert round_trips() == 2
