"""The public lists: rankings per hamlet group, village and township for a month, a quarter and
a year, read from the maintained period totals; names as the village chooses; deductions only
where the village lists them; the printable notice; the villager's page; who may see what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from xiangzhi.core.models import AuditEvent
from xiangzhi.people.services import ResidentData, household_register
from xiangzhi.points.models import PointBoardSetting, PointEntry, PointPeriodTotal
from xiangzhi.points.selectors.board import (
    deduction_list,
    household_standing,
    household_standings,
    mask_name,
    period_days,
    ranking,
)
from xiangzhi.points.services import account_for, entry_post, entry_reverse
from xiangzhi.points.services.store import board_setting_update
from xiangzhi.points.services.totals import periods_of, totals_differing

from ..factories import make_id

CLAIM = PointEntry.Source.CLAIM
# A day of a past year: the world's own entries (dated today) are in none of its periods.
DAY = dt.date(2025, 5, 12)
MONTH, QUARTER, YEAR = periods_of(DAY)


def _earn(world, household, points, v="a", day=DAY, reason="甲村清扫"):
    account = account_for(household=household)
    return entry_post(
        actor=getattr(world, v).cadre,
        account=account,
        amount=points,
        reason=reason,
        source=CLAIM,
        occurred_on=day,
    )


def test_periods_are_months_quarters_and_years():
    assert periods_of(dt.date(2026, 11, 30)) == ("2026-11", "2026-Q4", "2026")
    assert period_days("2026-Q4") == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert period_days("2026-12") == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert mask_name("张小三") == "张*三" and mask_name("李四") == "李*"


def test_each_post_keeps_its_month_quarter_and_year_totals(world):
    entry = _earn(world, world.a.household, 8)
    _earn(world, world.a.household, -3, reason="甲村乱堆乱放")
    _earn(world, world.a.household, 5, day=dt.date(2025, 2, 1))
    entry_reverse(actor=world.a.secretary, entry=entry, reason="重复登记")
    account = account_for(household=world.a.household)
    rows = {
        t.period: (t.score, t.earned, t.deducted)
        for t in PointPeriodTotal.objects.filter(account=account)
    }
    # The reversal is dated today; the May rows keep what was recorded then.
    assert rows[MONTH][1:] == (8, 3) and rows["2025-02"] == (5, 5, 0)
    assert rows[YEAR][1] == 13
    assert totals_differing() == []


def test_the_ranking_orders_households_and_ties_share_a_rank(world):
    _earn(world, world.a.household, 10)
    _earn(world, world.a.other_household, 10)
    _earn(world, world.b.household, 30, v="b", reason="乙村清扫")
    village = ranking(node=world.a.node, period=MONTH)
    assert [(r.rank, r.score) for r in village] == [(1, 10), (1, 10)]
    township = ranking(node=world.township, period=YEAR)
    assert [r.score for r in township][:1] == [30]
    group = ranking(node=world.a.group, period=QUARTER)
    assert {r.household_id for r in group} == {world.a.household.pk, world.a.other_household.pk}
    assert household_standing(
        household_id=world.a.household.pk, node=world.township, period=MONTH
    ) == {"score": 10, "rank": 2}


def test_names_show_as_the_village_chooses(world):
    _earn(world, world.a.household, 10)
    head = world.a.head.name  # 甲独一鸣
    names = lambda: {r.name for r in ranking(node=world.a.node, period=MONTH)}  # noqa: E731
    assert mask_name(head) in names() and head not in names()  # masked by default
    board_setting_update(
        actor=world.a.cadre, node=world.a.node, name_display="full", show_deductions=False
    )
    assert head in names()
    board_setting_update(
        actor=world.a.cadre, node=world.a.node, name_display="number", show_deductions=False
    )
    assert world.a.household.number in names() and mask_name(head) not in names()
    assert AuditEvent.objects.filter(action="points.board_setting_update").count() == 2


def test_deductions_are_listed_only_where_the_village_decided_so(world):
    _earn(world, world.a.household, 10)
    _earn(world, world.a.household, -5, reason="甲村焚烧秸秆")
    assert deduction_list(node=world.a.node, period=MONTH) == []
    board_setting_update(
        actor=world.a.secretary, node=world.a.node, name_display="masked", show_deductions=True
    )
    listed = deduction_list(node=world.a.node, period=MONTH)
    assert [(d["amount"], d["reason"]) for d in listed] == [(-5, "甲村焚烧秸秆")]
    assert deduction_list(node=world.b.node, period=MONTH) == []


@pytest.mark.parametrize("who", ["worker", "auditor", "villager", "group_leader"])
def test_only_the_villages_cadres_change_its_board_settings(client, world, who):
    client.force_login(getattr(world.a, who))
    response = client.post(
        f"/points/board/{world.a.node.pk}/settings/",
        {"name_display": "full", "show_deductions": "on"},
    )
    assert response.status_code in (403, 404)
    assert not PointBoardSetting.objects.exists()
    client.force_login(world.b.cadre)
    response = client.post(f"/points/board/{world.a.node.pk}/settings/", {"name_display": "full"})
    assert response.status_code == 404 and not PointBoardSetting.objects.exists()
    client.force_login(world.a.cadre)
    response = client.post(f"/points/board/{world.a.node.pk}/settings/", {"name_display": "full"})
    assert response.status_code == 302
    assert PointBoardSetting.objects.get().name_display == "full"


def test_a_villager_sees_the_board_of_their_village_and_township_not_another_village(client, world):
    _earn(world, world.a.household, 10)
    _earn(world, world.b.household, 12, v="b", reason="乙村清扫")
    client.force_login(world.a.villager)
    assert client.get("/points/board/").url == f"/points/board/{world.a.node.pk}/"
    page = client.get(f"/points/board/{world.a.node.pk}/").content.decode()
    assert mask_name(world.a.head.name) in page and world.a.head.name not in page
    assert "我家" in page
    assert client.get(f"/points/board/{world.township.pk}/").status_code == 200
    assert client.get(f"/points/board/{world.b.node.pk}/").status_code == 404
    assert client.get(f"/points/board/{world.a.grid.pk}/").status_code == 404  # no board there
    client.force_login(world.b.cadre)
    assert client.get(f"/points/board/{world.a.node.pk}/notice.pdf").status_code == 404


def test_the_monthly_notice_is_a_pdf_with_chinese_text_and_a_qr_code_to_the_board(client, world):
    _earn(world, world.a.household, 10)
    client.force_login(world.a.cadre)
    response = client.get(f"/points/board/{world.a.node.pk}/notice.pdf?period={MONTH}")
    assert response["Content-Type"] == "application/pdf"
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    text = page.extract_text()
    assert "甲村2025年5月积分公示" in text and mask_name(world.a.head.name) in text
    links = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]
    assert links == [f"http://testserver/points/board/{world.a.node.pk}/"]


def _household(world, i):
    return household_register(
        actor=world.admin,
        node=world.a.grid,
        address=f"甲村新屋{i}号",
        number=f"a-1{i:02d}",
        head=ResidentData(
            name=f"甲新{i}", id_number=make_id(dt.date(1980, 1, 1) + dt.timedelta(days=i), "M")
        ),
    )


def test_the_board_costs_the_same_queries_whatever_the_number_of_households(client, world):
    client.force_login(world.a.cadre)
    url = f"/points/board/{world.a.node.pk}/?period={MONTH}"
    counts = []
    for size in (2, 12):
        while PointPeriodTotal.objects.filter(period=MONTH).count() < size:
            _earn(world, _household(world, PointPeriodTotal.objects.count()), 3)
        client.get(url)  # the session's first read is not the page's
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("listed", [False, True])
def test_a_village_board_reads_its_settings_once(client, world, listed):
    """Its ranking, its deductions and its header are named from one read of the setting."""
    _earn(world, world.a.household, 10)
    _earn(world, world.a.other_household, -5, reason="甲村焚烧秸秆")
    board_setting_update(
        actor=world.a.cadre, node=world.a.node, name_display="number", show_deductions=listed
    )
    client.force_login(world.a.cadre)
    url = f"/points/board/{world.a.node.pk}/?period={MONTH}"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200 and page.context["rows"]  # the ranking names households
    assert bool(page.context["deductions"]) is listed
    numbers = {world.a.household.number, world.a.other_household.number}
    names = {r.name for r in page.context["rows"]} | {d["name"] for d in page.context["deductions"]}
    assert names <= numbers  # every name shown as the setting says: the household number
    reads = [q["sql"] for q in queries if 'FROM "points_pointboardsetting"' in q["sql"]]
    assert len(reads) == 1, reads


def test_a_households_standings_of_several_periods_come_from_one_query(world):
    a, b = world.a.household, world.a.other_household
    _earn(world, a, 40)
    _earn(world, b, 90)
    _earn(world, a, 100, day=dt.date(2025, 1, 6))  # the same year, another month and quarter
    with CaptureQueriesContext(connection) as queries:
        found = household_standings(
            household_id=a.pk, node=world.a.node, periods=[MONTH, YEAR, "2024"]
        )
    assert len(queries) == 1
    assert found == {
        MONTH: {"score": 40, "rank": 2},  # behind the neighbour's 90
        YEAR: {"score": 140, "rank": 1},
        "2024": None,  # no points that year
    }
    for period in (MONTH, YEAR):
        assert (
            household_standing(household_id=a.pk, node=world.a.node, period=period)
            == (found[period])
        )


def test_the_villager_page_costs_the_same_queries_whatever_the_entries(client, world):
    """我的积分 reads one page of the history, and ranks from the maintained totals: 25 entries
    or 45 cost the same queries; a history that fits its first page (2) saves the COUNT that
    the page links need (core.web.ListPaginator)."""
    today = timezone.localdate()
    client.force_login(world.a.villager)
    counts = []
    for size in (2, 25, 45):
        while PointEntry.objects.filter(household=world.a.household).count() < size:
            _earn(world, world.a.household, 1, day=today)
            _earn(world, world.a.other_household, 2, day=today)
        client.get("/points/mine/")  # the session's first read is not the page's
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/points/mine/").status_code == 200
        counts.append(len(queries))
    assert counts[0] + 1 == counts[1] == counts[2]
    # The household is read once, through the villager's scope, with its node: the shelf does
    # not check it again, and the board's link does not read its node again.
    households = [q["sql"] for q in queries if 'FROM "people_household"' in q["sql"]]
    assert len(households) == 1 and not households[0].startswith('SELECT 1 AS "a"')


def test_the_villager_page_shows_balance_history_shelf_and_rank_of_their_own_only(client, world):
    today = timezone.localdate()
    _earn(world, world.a.household, 40, day=today, reason="甲村庭院整洁")
    _earn(world, world.a.other_household, 90, day=today, reason="甲村隔壁修路")
    client.force_login(world.a.villager)
    page = client.get("/points/mine/").content.decode()
    assert "甲村庭院整洁" in page and "甲村隔壁修路" not in page
    assert "甲村食用油" in page  # the village's shelf
    assert "第 2 名" in page  # behind the neighbour this month
    assert "甲村隔壁锦旗" not in page  # another grid's store is not theirs
    workbench = client.get("/").content.decode()
    assert "我的积分" in workbench


def test_the_home_board_takes_the_households_a_caller_read_only_when_they_are_all_of_them(world):
    from xiangzhi.people.models import Household
    from xiangzhi.points.access import home_board

    villager = world.a.villager
    own = Household.objects.select_related("node").get(pk=world.a.household.pk)
    assert home_board(villager) == home_board(villager, [own]) == world.a.node
    with CaptureQueriesContext(connection) as queries:
        home_board(villager, [own])
    assert not [q for q in queries if 'FROM "people_household"' in q["sql"]]
    # A list that is not the villager's households is not taken, nor one with another's in it
    # (first, where a trusted list would win): their own are read.
    other = Household.objects.select_related("node").get(pk=world.b.household.pk)
    for given in ([other], [other, own]):
        with CaptureQueriesContext(connection) as queries:
            assert home_board(villager, given) == world.a.node
        assert [q for q in queries if 'FROM "people_household"' in q["sql"]]
