"""Maintained figures (core/figures.py): kept exact by every write, named by verify_figures when
they are not, moved with a subtree, and read by the grid pages at a cost that does not depend on
the population under the node."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from tests.factories import make_id
from xiangzhi.core import figures
from xiangzhi.core.models import FigureCount
from xiangzhi.core.registry import FIGURES, register_figure
from xiangzhi.grid.rollup import rollup_children
from xiangzhi.grid.services import node_create, node_move
from xiangzhi.people.models import HouseholdChange, Resident
from xiangzhi.people.services import (
    ResidentData,
    household_register,
    resident_add,
    resident_record_death,
)


def kept(node, key: str, period: str = "") -> int:
    """The figure as the node's page would read it from the kept rows (its subtree's sum)."""
    rows = FigureCount.objects.filter(path__under=node.path, key=key, period=period)
    return sum(rows.values_list("value", flat=True))


def counted(node, key: str) -> int:
    figure = next(f for f in FIGURES if f.key == key)
    return figure.queryset().filter(**{f"{figure.path_lookup}__under": node.path}).count()


def born(world, household, when=None) -> Resident:
    when = when or dt.date(2020, 1, 1)
    return resident_add(
        actor=world.admin,
        household=household,
        kind="birth",
        occurred_on=when,
        data=ResidentData(
            name="甲新生", id_number=make_id(when, "F"), relation=Resident.Relation.CHILD
        ),
    )


def test_the_world_built_through_services_has_exact_rows(world):
    assert figures.verify() == []
    a = world.a.node
    assert kept(a, "residents") == counted(a, "residents") == 3
    assert kept(world.township, "households") == 4
    # One row per (village, figure): a village's writes never touch another village's rows.
    paths = set(FigureCount.objects.filter(key="residents").values_list("path", flat=True))
    assert paths == {world.a.node.path, world.b.node.path}


def test_a_birth_and_a_death_change_the_rows_of_their_village_only(world):
    b_rows = list(FigureCount.objects.filter(path=world.b.node.path).values_list("key", "value"))
    child = born(world, world.a.household)
    assert kept(world.a.node, "residents") == 4
    resident_record_death(actor=world.admin, resident=child, occurred_on=dt.date(2024, 1, 1))
    resident_record_death(actor=world.admin, resident=world.a.other_head)
    assert kept(world.a.node, "residents") == 2
    assert kept(world.a.node, "party_members") == 0  # the member died: the member figure follows
    assert kept(world.a.node, "households") == 1
    assert (
        list(FigureCount.objects.filter(path=world.b.node.path).values_list("key", "value"))
        == b_rows
    )
    assert figures.verify() == []


def test_verify_figures_names_each_difference_and_fix_repairs_it(world):
    FigureCount.objects.filter(path=world.a.node.path, key="residents").update(value=99)
    FigureCount.objects.filter(path=world.b.node.path, key="households").delete()
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("verify_figures", stdout=out, stderr=StringIO())
    assert exc.value.code == 1
    text = out.getvalue()
    assert "甲村" in text and "人数" in text and "统计表 99，按记录 3" in text
    assert "乙村" in text and "户数" in text and "统计表 0，按记录 2" in text
    # Only the subtree asked for is checked.
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_figures", "--node", world.b.node.code, stdout=out, stderr=StringIO())
    assert "乙村" in out.getvalue() and "甲村" not in out.getvalue()
    # A number that is not ASCII digits ("²" passes str.isdigit) is just not a node.
    with pytest.raises(CommandError, match="没有区划代码或编号为 ² 的网格"):
        call_command("verify_figures", "--node", "²", stdout=StringIO())
    # Nor is a number past a bigint, for either command.
    huge = "9" * 30
    with pytest.raises(CommandError, match=f"没有区划代码或编号为 {huge} 的网格"):
        call_command("verify_figures", "--node", huge, stdout=StringIO())
    with pytest.raises(CommandError, match=f"找不到网格 {huge}"):
        call_command("export_xlsx", "residents", "--node", huge, "-o", "/dev/null")
    call_command("verify_figures", "--fix", stdout=StringIO())
    out = StringIO()
    call_command("verify_figures", stdout=out)
    assert "一致" in out.getvalue()
    assert kept(world.a.node, "residents") == 3


def test_moving_a_branch_to_another_village_moves_its_figures(world):
    before_a, before_b = kept(world.a.node, "residents"), kept(world.b.node, "residents")
    node_move(actor=world.admin, node=world.a.branch, new_parent=world.b.node)
    assert kept(world.a.node, "residents") == 0
    assert kept(world.b.node, "residents") == before_a + before_b
    assert kept(world.a.node, "grid_nodes:5") == 0
    assert figures.verify() == []


def test_moving_a_village_to_another_township_moves_its_rows(world):
    second = node_create(actor=world.admin, parent=None, name="第二镇", code="430521101000")
    residents = kept(world.a.node, "residents")
    node_move(actor=world.admin, node=world.a.node, new_parent=second)
    world.a.node.refresh_from_db()
    assert world.a.node.path.startswith(second.path)
    assert kept(second, "residents") == residents
    assert kept(world.township, "residents") == kept(world.b.node, "residents")
    assert rollup_children(second, [])[0].counts["residents"] == residents
    assert rollup_children(second, [])[0].levels == {2: 1, 3: 1, 4: 1, 5: 2}
    assert figures.verify() == []


def test_records_on_a_node_above_the_village_have_their_own_rows(world):
    """A record may hang on the township itself (a household may not since issue 12; the
    contract app's notice may): the township's own row counts it, no village's does."""
    from tests.contract_app.services import notice_post

    before, rows_before = rollup_children(world.township, [world.a.node, world.b.node])
    notice_post(actor=world.admin, node=world.township, title="镇里的通知")
    assert FigureCount.objects.get(path=world.township.path, key="notices").value == 1
    total, rows = rollup_children(world.township, [world.a.node, world.b.node])
    assert total.counts["notices"] == before.counts["notices"] + 1
    assert [r.counts["notices"] for r in rows] == [r.counts["notices"] for r in rows_before]
    assert figures.verify() == []


@pytest.fixture
def births_this_month():
    """A figure per month, as later modules register them (births, visits, appeals)."""
    register_figure(
        "births_month",
        "本月出生",
        lambda: HouseholdChange.objects.filter(kind="birth"),
        "household__node__path",
        date_lookup="occurred_on",
    )
    yield next(f for f in FIGURES if f.key == "births_month")
    FIGURES[:] = [f for f in FIGURES if f.key != "births_month"]


def test_a_figure_per_month_keeps_one_row_per_month(world, births_this_month):
    figures.verify(fix=True)  # the new figure's rows for the births already there
    today = dt.date.today()
    born(world, world.a.household, today)
    month = figures.month_of(today)
    assert kept(world.a.node, "births_month", month) == 1
    assert kept(world.a.node, "births_month", "2015-06") == 1  # the world's child
    assert rollup_children(world.township, [])[0].counts["births_month"] == 1
    with override_settings(XIANGZHI_FIGURES_MAINTAINED=False):  # counted live: the same
        assert rollup_children(world.township, [])[0].counts["births_month"] == 1
    assert figures.verify() == []


def test_a_figure_of_the_date_is_recounted_daily_and_verify_knows_it(world):
    cutoff = {"born_before": dt.date(1968, 1, 1)}
    register_figure(
        "aged_test",
        "测试年龄段",
        lambda: Resident.objects.filter(status="active", birth_date__lt=cutoff["born_before"]),
        "node__path",
        daily=True,
    )
    try:
        figures.verify(fix=True)
        assert kept(world.township, "aged_test") == 2  # born 1965 in both villages
        cutoff["born_before"] = dt.date(1971, 1, 1)  # a day passes: those born 1970 join
        diffs = figures.verify()
        # The village's row, and the fine row of the node the 1970-born resident hangs on.
        assert {(d.key, d.kept, d.counted, d.fine) for d in diffs} == {
            ("aged_test", 1, 2, False),
            ("aged_test", 0, 1, True),
        }
        out = StringIO()
        with pytest.raises(SystemExit):
            call_command("verify_figures", stdout=out, stderr=StringIO())
        assert "按日期变化" in out.getvalue()
        # The worker's daily task does it, and queues itself for after the next midnight.
        from xiangzhi.core.figures_tasks import refresh_daily_figures, schedule_daily_figures

        assert schedule_daily_figures() is True
        assert schedule_daily_figures() is False  # one queued is enough
        assert refresh_daily_figures.call() == 2
        assert figures.verify() == []
    finally:
        FIGURES[:] = [f for f in FIGURES if f.key != "aged_test"]


def test_switched_off_nothing_is_written_and_pages_count_live(world, settings):
    settings.XIANGZHI_FIGURES_MAINTAINED = False
    before = list(FigureCount.objects.values_list("path", "key", "value"))
    born(world, world.a.household)
    assert list(FigureCount.objects.values_list("path", "key", "value")) == before
    assert rollup_children(world.township, [])[0].counts["residents"] == 7
    settings.XIANGZHI_FIGURES_MAINTAINED = True
    assert {d.key for d in figures.verify()} == {"residents"}
    figures.verify(fix=True)
    assert rollup_children(world.township, [])[0].counts["residents"] == 7


def test_a_village_moved_while_switched_off_is_fixed_and_then_kept_exact(world, settings):
    """Its rows follow it even when nothing is counted: --fix can repair them (an old path's
    row held the (node, key, period) the fix inserts), and later writes add to the new path."""
    second = node_create(actor=world.admin, parent=None, name="第二镇", code="430521101000")
    settings.XIANGZHI_FIGURES_MAINTAINED = False
    node_move(actor=world.admin, node=world.a.node, new_parent=second)
    born(world, world.a.household)
    settings.XIANGZHI_FIGURES_MAINTAINED = True
    assert figures.verify() != []
    call_command("verify_figures", "--fix", stdout=StringIO())
    assert figures.verify() == []
    world.a.node.refresh_from_db()
    assert (
        not FigureCount.objects.exclude(path__under=world.a.node.path)
        .filter(node_id=world.a.node.pk)
        .exists()
    )
    born(world, world.a.household, dt.date(2021, 1, 1))
    assert figures.verify() == []
    assert kept(second, "residents") == counted(second, "residents") == 5
    assert kept(world.township, "residents") == counted(world.township, "residents")


def test_a_failed_write_leaves_the_rows_as_they_were(world):
    before = list(FigureCount.objects.order_by("pk").values_list("path", "key", "value"))
    with pytest.raises(Exception):  # noqa: B017, PT011 - any error rolls the write back
        resident_add(
            actor=world.admin,
            household=world.a.household,
            kind="birth",
            data=ResidentData(name="", id_number="bad"),
        )
    assert list(FigureCount.objects.order_by("pk").values_list("path", "key", "value")) == before


def _grow(world, village, n):
    for i in range(n):
        hh = household_register(
            actor=world.admin,
            node=village.grid,
            address=f"扩展{i}号",
            head=ResidentData(name=f"扩{i}", id_number=make_id(dt.date(1960, 1, 1), "M")),
        )
        born(world, hh)
        node_create(actor=world.admin, parent=village.group, name=f"新中心户{i}")


def test_grid_page_queries_are_the_same_at_every_level_and_do_not_grow(client, world):
    county = node_create(
        actor=world.admin, parent=None, name="测试县", code="430521000000", level=0
    )
    node_move(actor=world.admin, node=world.township, new_parent=county)
    for node in (world.township, world.a.node, world.a.group, world.a.grid):
        node.refresh_from_db()  # their paths now start with the county's
    client.force_login(world.admin)

    def queries(node):
        client.get(f"/grid/nodes/{node.pk}/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/grid/nodes/{node.pk}/").status_code == 200
        return len(ctx)

    small = {n.name: queries(n) for n in (county, world.township, world.a.node)}
    _grow(world, world.a, 5)
    large = {n.name: queries(n) for n in (county, world.township, world.a.node)}
    # The root has no ancestors, so its page skips the breadcrumbs' query; otherwise the same.
    # A village's page also lists the households registered on the village node itself (a
    # page of them: the node's own rows, two queries whatever the village holds).
    assert small["测试镇"] == small["测试县"] + 1 == small["甲村"] - 1, small
    assert large == small
    # The page shows the grown counts.
    body = client.get(f"/grid/nodes/{county.pk}/").content.decode()
    assert rollup_children(county, [])[0].counts["residents"] == 6 + 10
    assert "16" in body


def test_an_import_recounts_the_villages_it_wrote(world, tmp_path):
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.people.services.imports import registry_import

    path = make_sheet(
        tmp_path / "r.xlsx",
        [
            ["姓名", "性别", "出生日期", "身份证号码", "与户主关系", "家庭住址", "所属网格"],
            ["乙导一", "男", dt.date(1970, 1, 2), make_id(dt.date(1970, 1, 2), "M"), "户主",
             "乙村导入1号", "乙村/乙村第一党支部/乙村枫树屋场党小组/乙家中心户"],
            ["乙导二", "女", dt.date(1972, 1, 2), make_id(dt.date(1972, 1, 2), "F"), "配偶",
             "乙村导入1号", "乙村/乙村第一党支部/乙村枫树屋场党小组/乙家中心户"],
        ],
    )  # fmt: skip
    report = registry_import(actor=world.admin, kind="residents", path=path, dry_run=True)
    assert report.errors == [] and kept(world.b.node, "residents") == 3
    report = registry_import(actor=world.admin, kind="residents", path=path)
    assert report.created == 2
    assert kept(world.b.node, "residents") == 5 and kept(world.b.node, "households") == 3
    assert figures.verify() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_villages_never_wait_on_each_other_and_one_village_queues():
    """A recount holds its village's rows until its transaction ends: another village's recount
    completes meanwhile; the same village's waits (here: gives up after its lock timeout)."""
    import threading

    from django.db import OperationalError, connections, transaction

    from tests.factories import UserFactory

    admin = UserFactory(username="lock_admin", is_superuser=True)
    town = node_create(actor=admin, parent=None, name="锁镇")
    a = node_create(actor=admin, parent=town, name="锁甲村")
    b = node_create(actor=admin, parent=town, name="锁乙村")
    held, release = threading.Event(), threading.Event()

    def hold_a():
        try:
            with transaction.atomic():
                figures.refresh({a.path: a.level})
                held.set()
                release.wait(20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_a)
    holder.start()
    try:
        assert held.wait(20)
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '2s'")
            figures.refresh({b.path: b.level})  # another village: no wait
        with pytest.raises(OperationalError), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '200ms'")
            figures.refresh({a.path: a.level})  # the same village: waits for the holder
    finally:
        release.set()
        holder.join()
    assert figures.verify() == []
