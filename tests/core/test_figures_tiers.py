"""The two tiers of the maintained figures (core/figures.py): a write recounts the fine rows of
its own node and carries the difference to its village's row, without recounting the village;
verify_figures checks and repairs both tiers; `migrate` fills the rows of an existing database."""

from __future__ import annotations

import datetime as dt
import sys
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


# libpq's protocol trace: PostgreSQL, and a libpq that traces (psycopg refuses it off Linux).
traced = pytest.mark.skipif(
    connection.vendor != "postgresql" or sys.platform != "linux",
    reason="libpq's protocol trace: PostgreSQL on Linux",
)


def _traced(run) -> list[str]:
    """The protocol messages run() exchanged with the server (libpq's trace): "F Parse", "B
    DataRow" ..., one a line. A round trip ends with the server's "B ReadyForQuery"."""
    import tempfile

    from psycopg import pq

    pgconn = connection.connection.pgconn
    with tempfile.TemporaryFile(mode="w+") as out:
        pgconn.trace(out.fileno())
        try:
            pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            run()
        finally:
            pgconn.untrace()
        out.seek(0)
        return [" ".join(line.split("\t")[0:3:2]) for line in out.read().splitlines()]


def _counting_pipelines(monkeypatch) -> list:
    """The connections that entered psycopg's pipeline mode from now on (any thread)."""
    import psycopg

    entered = []
    pipeline = psycopg.Connection.pipeline

    def counted(self):
        entered.append(self)
        return pipeline(self)

    monkeypatch.setattr(psycopg.Connection, "pipeline", counted)
    return entered


@traced
def test_a_writes_refresh_takes_two_round_trips(world, settings):
    """A write's lock, read and recount of its node go in one round trip (prepared, pipelined),
    and both tiers' upserts in a second one."""
    from django.db import transaction

    settings.XIANGZHI_FIGURES_CHECK_SKIPPED = False
    node = world.a.household.node
    fine = FigureFineCount.objects.filter(path=node.path, key="residents", period="")
    counted = fine.get().value
    # The first refresh may compile the recount (a text not yet known the same for every node),
    # the next proves the three statements one by one: the third goes in a pipeline.
    for traced_run in (False, False, True):
        with transaction.atomic():
            fine.update(value=counted + 5)  # a fine row off by 5: both tiers are written
            refresh = lambda: figures.refresh({node.path: node.level})  # noqa: E731
            messages = _traced(refresh) if traced_run else refresh()
        assert fine.get().value == counted
    assert messages.count("B ReadyForQuery") == 2
    end = messages.index("B ReadyForQuery")
    first, second = messages[:end], messages[end + 1 :]
    assert first.count("F Execute") == 3 and "F Parse" not in first  # prepared before
    # All three were sent before the server answered the first.
    assert max(i for i, m in enumerate(first) if m == "F Execute") < first.index("B BindComplete")
    assert second.count("F Query") == 1  # the upserts: one query of two statements
    # Each refresh added its difference: the village's row is 3 × 5 short.
    assert village_row(world) == 3 - 15 and figures.verify() != []
    figures.verify(fix=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_pipelined_refresh_that_waited_recounts_what_the_other_write_committed(monkeypatch):
    """The recount goes in the same round trip as the lock, yet runs after the lock is granted,
    on a new snapshot: a write that waited on the node counts the household the other one
    committed meanwhile (else it would take that household away from the village again)."""
    from django.db import transaction

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

    for n in (1, 2):  # compiles, then proves the statements: the two below go pipelined
        with transaction.atomic():
            add_household(n)
    pipelines = _counting_pipelines(monkeypatch)
    errors = second_waits_on_first(lambda: add_household(3), lambda: add_household(4))
    assert errors == []
    assert len(set(pipelines)) == 2  # each thread's refresh went in a pipeline, on its connection
    assert FigureCount.objects.get(path=village.path, key="households", period="").value == 4
    assert figures.verify() == []


@traced
@pytest.mark.django_db(transaction=True)
def test_a_pipeline_whose_statements_were_deallocated_loses_its_transaction_only(monkeypatch):
    """A DEALLOCATE ALL behind psycopg's back (core/prepared.py): the pipelined refresh fails
    with Django's error; a write whose transaction rolls back loses nothing else, and one that
    caught the error in a savepoint prepares them again and goes on."""
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

    def deallocate() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")

    add_household(1)
    add_household(2)
    pipelines = _counting_pipelines(monkeypatch)
    # BEGIN, the insert, the pipeline, the upserts, COMMIT.
    assert _traced(lambda: add_household(3)).count("B ReadyForQuery") == 5
    assert len(pipelines) == 1
    # Outside a transaction: no pipeline, the lock and read, then the recount.
    outside = _traced(lambda: figures.refresh({village.path: village.level}))
    assert outside.count("B ReadyForQuery") == 2 and len(pipelines) == 1
    deallocate()
    with pytest.raises(DatabaseError):
        add_household(4)
    assert Household.objects.filter(node=village).count() == 3  # rolled back, nothing half-kept
    add_household(5)  # the rollback made psycopg forget them: prepared again
    with transaction.atomic():  # a caller that catches the error in a savepoint and goes on
        deallocate()
        with pytest.raises(DatabaseError), transaction.atomic():
            add_household(6)
        add_household(7)  # prepared again: psycopg saw no rollback, fetch_each forgot them
    assert len(pipelines) == 5
    assert FigureCount.objects.get(path=village.path, key="households", period="").value == 5
    assert figures.verify() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pipeline mode: PostgreSQL")
@pytest.mark.django_db
def test_without_pipelines_a_refresh_goes_as_before(world, settings, monkeypatch):
    """psycopg's pipeline mode needs libpq 14: with an older one fetch_each runs nothing and a
    refresh sends the lock and the read, then the recount, as it did before pipelines."""
    import psycopg

    from xiangzhi.core import prepared

    settings.XIANGZHI_FIGURES_CHECK_SKIPPED = False
    statements = [("SELECT %s + 1", [1]), ("SELECT %s * 3", [2])]
    assert prepared.fetch_each(statements) == [[(2,)], [(6,)]]  # proves both
    assert prepared.fetch_each(statements) == [[(2,)], [(6,)]]  # pipelined
    monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda cls: False))
    assert prepared.fetch_each(statements) is None
    pipelines = _counting_pipelines(monkeypatch)
    node = world.a.household.node
    FigureFineCount.objects.filter(path=node.path, key="residents").update(value=40)
    figures.refresh({node.path: node.level})
    assert pipelines == [] and figures.verify() != []  # the difference went to the village
    figures.verify(fix=True)
    assert figures.verify() == []
