"""The contact figures on every grid node page (本月走访户数, 逾期未走访户, 变动回访逾期): kept like
every figure, equal to the coverage page's live counts, and recounted when a deadline passes
without a write or a township changes its visit interval."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_id
from xiangzhi.core import figures
from xiangzhi.grid.models import GridNode
from xiangzhi.grid.rollup import rollup_children
from xiangzhi.grid.services import node_create
from xiangzhi.party.models import ContactLink
from xiangzhi.party.selectors import coverage_of
from xiangzhi.party.selectors.coverage import overdue_links
from xiangzhi.party.services import (
    contact_link_add,
    contact_settings_update,
    party_member_register,
    visit_record,
)
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import ResidentData, household_register, resident_add

TODAY = timezone.localdate()
KEYS = ("households_visited", "contact_overdue", "follow_ups_overdue", "contact_members")


def _household(admin, node: GridNode, n: int) -> Household:
    return household_register(
        actor=admin,
        node=node,
        address=f"{node.name}覆盖巷{n}号",
        number=f"cov-{node.pk}-{n:03d}",
        head=ResidentData(
            name=f"覆盖户主{n}", id_number=make_id(dt.date(1961, 2, 1 + n % 28), "M")
        ),
    )


def _kept(node: GridNode) -> dict[str, int]:
    counts = rollup_children(GridNode.objects.get(pk=node.pk), [])[0].counts
    return {k: counts.get(k, 0) for k in KEYS}


def _live(admin, node: GridNode) -> dict[str, int]:
    cov = coverage_of(actor=admin, node=node, start=TODAY.replace(day=1), end=TODAY)
    counts = (cov.visited, cov.overdue, cov.follow_ups_overdue, cov.members_visiting)
    return dict(zip(KEYS, counts, strict=True))


def _settings(admin, township, days: int) -> None:
    contact_settings_update(
        actor=admin,
        township=township,
        village_group_quota=30,
        community_group_quota=60,
        visit_interval_days=days,
        follow_up_days=15,
    )


@pytest.mark.django_db
def test_the_node_figures_equal_the_coverage_counts_and_follow_the_date(client, world):
    admin, a = world.admin, world.a
    before = _kept(a.node)
    assert before == _live(admin, a.node)
    old, never = _household(admin, a.grid, 1), _household(admin, a.grid, 2)
    # `old`: linked, last visited 100 days ago (entered on the day); `never`: linked 91 days ago,
    # never visited, and a birth 20 days ago whose fortnight's follow-up is 5 days late.
    contact_link_add(actor=admin, household=old, member=a.party_member)
    visit_record(
        actor=admin,
        household=old,
        member=a.party_member,
        visited_on=TODAY - dt.timedelta(days=100),
        recorded_on=TODAY - dt.timedelta(days=100),
        met="户主",
        learned="旧事",
    )
    contact_link_add(
        actor=admin,
        household=never,
        member=a.party_member,
        started_on=TODAY - dt.timedelta(days=91),
    )
    resident_add(
        actor=admin,
        household=never,
        kind="birth",
        occurred_on=TODAY - dt.timedelta(days=20),
        data=ResidentData(
            name="覆盖新生",
            id_number=make_id(TODAY - dt.timedelta(days=20), "F"),
            relation=Resident.Relation.CHILD,
        ),
    )
    kept = _kept(a.node)
    assert kept == _live(admin, a.node)
    assert kept["contact_overdue"] == before["contact_overdue"] + 2
    assert kept["follow_ups_overdue"] == before["follow_ups_overdue"] + 1
    assert kept["households_visited"] == before["households_visited"]  # old's is not this month
    assert _kept(world.township)["contact_overdue"] == kept["contact_overdue"]
    assert figures.verify() == []

    # The grid page shows them, for the node and for each child.
    client.force_login(a.cadre)
    page = client.get(reverse("grid:node_detail", args=[a.node.pk])).content.decode()
    assert f'<span class="n">{kept["contact_overdue"]}</span>逾期未走访户' in page
    assert f'<span class="n">{kept["follow_ups_overdue"]}</span>变动回访逾期' in page
    assert "本月走访户数" in page
    # The chief's workbench reads the same kept rows for the township.
    client.force_login(world.chief)
    desk = client.get("/").content.decode()
    live = coverage_of(actor=admin, node=world.township, start=TODAY.replace(day=1), end=TODAY)
    panel = desk[desk.index('id="panel-coverage"') :]
    for n, label in (
        (f"{live.linked}/{live.households}", "已联系户/总户数"),
        (live.visited, "期间走访户"),
        (live.overdue, "逾期户（90天未走访）"),
        (live.follow_ups_overdue, "变动回访逾期"),
    ):
        assert f'<span class="n">{n}</span>{label}' in panel
    assert live.overdue >= 2 and live.follow_ups_overdue >= 1

    # The township allows 120 days: `old` (100 days) and `never` (91) are no longer overdue.
    _settings(admin, world.township, 120)
    assert _kept(a.node) == _live(admin, a.node)
    assert _kept(a.node)["contact_overdue"] == before["contact_overdue"]
    assert figures.verify() == []

    # Time passes with no write (here: the link is made older behind the services' back): the
    # figure is behind, verify names it, and the worker's daily recount repairs it.
    ContactLink.objects.filter(household=old).update(last_visit_on=TODAY - dt.timedelta(days=130))
    assert {(d.key, d.kept, d.counted) for d in figures.verify() if not d.fine} == {
        ("contact_overdue", before["contact_overdue"], before["contact_overdue"] + 1),
    }
    assert figures.refresh_daily() >= 1
    assert figures.verify() == []
    assert _kept(a.node) == _live(admin, a.node)


def _county_village(admin, county, n: int) -> tuple[GridNode, GridNode]:
    town = node_create(actor=admin, parent=county, name=f"覆盖{n}镇", code=f"43052120{n}000")
    village = node_create(actor=admin, parent=town, name=f"覆盖{n}村", code=f"43052120{n}201")
    return town, village


@pytest.mark.django_db
def test_each_township_under_a_county_keeps_its_own_interval(world):
    """A county with two townships, one at 30 days and one at the default 90: the figure (read
    in SQL, township by township) and the county's coverage page agree, link by link."""
    admin = world.admin
    county = node_create(actor=admin, parent=None, level=0, name="覆盖县", code="430521000000")
    assert len(county.path) == 5
    links = {}
    for n in (1, 2):
        town, village = _county_village(admin, county, n)
        assert len(town.path) == 10
        member_home = _household(admin, village, 0)
        member = party_member_register(
            actor=admin,
            resident=member_home.head,
            category="full",
            joined_on=dt.date(1990, 7, 1),
            organisation=village,
        )
        for days in (45, 100):
            h = _household(admin, village, days)
            links[(n, days)] = contact_link_add(
                actor=admin,
                household=h,
                member=member,
                started_on=TODAY - dt.timedelta(days=days),
            )
        if n == 1:
            _settings(admin, town, 30)
    overdue = set(overdue_links(TODAY).values_list("pk", flat=True))
    assert {k for k, link in links.items() if link.pk in overdue} == {(1, 45), (1, 100), (2, 100)}
    cov = coverage_of(actor=admin, node=county, start=TODAY.replace(day=1), end=TODAY)
    assert cov.overdue == 3 and cov.interval_days is None
    assert _kept(county)["contact_overdue"] == 3
    town1 = GridNode.objects.get(name="覆盖1镇")
    one = coverage_of(actor=admin, node=town1, start=TODAY.replace(day=1), end=TODAY)
    assert (one.overdue, one.interval_days) == (2, 30)
    assert figures.verify() == []


@pytest.mark.django_db
def test_a_village_moved_under_a_township_of_another_interval_is_recounted_at_once(world):
    from xiangzhi.grid.services import node_move

    admin = world.admin
    county = node_create(actor=admin, parent=None, level=0, name="覆盖县", code="430521000000")
    (town1, village), (town2, _) = (_county_village(admin, county, n) for n in (1, 2))
    _settings(admin, town2, 30)  # town1 keeps the default 90 days
    member = party_member_register(
        actor=admin,
        resident=_household(admin, village, 0).head,
        category="full",
        joined_on=dt.date(1990, 7, 1),
        organisation=village,
    )
    contact_link_add(
        actor=admin,
        household=_household(admin, village, 1),
        member=member,
        started_on=TODAY - dt.timedelta(days=45),
    )
    assert _kept(village)["contact_overdue"] == 0
    node_move(actor=admin, node=village, new_parent=town2)
    moved = GridNode.objects.get(pk=village.pk)
    assert _kept(moved)["contact_overdue"] == 1 == _live(admin, moved)["contact_overdue"]
    assert _kept(town2)["contact_overdue"] == 1 and _kept(town1)["contact_overdue"] == 0
    assert figures.verify() == []


@pytest.mark.django_db
def test_a_recount_locks_the_kept_rows_before_it_counts(world, monkeypatch):
    """A write of the township that lands while the interval's recount runs (here: made at the
    moment the recount reads its kept rows) is in the count, not overwritten by it."""
    admin, a = world.admin, world.a
    h = _household(admin, a.grid, 1)
    contact_link_add(
        actor=admin,
        household=h,
        member=a.party_member,
        started_on=TODAY - dt.timedelta(days=100),
    )
    real, landed = figures.stored, []

    def stored(*args, **kwargs):
        if not landed:
            landed.append(
                visit_record(
                    actor=admin,
                    household=h,
                    member=a.party_member,
                    visited_on=TODAY,
                    met="户主",
                    learned="同时走访",
                )
            )
        return real(*args, **kwargs)

    monkeypatch.setattr(figures, "stored", stored)
    _settings(admin, world.township, 95)
    monkeypatch.setattr(figures, "stored", real)
    assert landed and figures.verify() == []
    assert _kept(a.node) == _live(admin, a.node)


@pytest.mark.django_db
def test_switched_off_a_new_interval_writes_no_figure_row(world, settings):
    from xiangzhi.core.models import FigureCount, FigureFineCount

    contact_link_add(
        actor=world.admin,
        household=_household(world.admin, world.a.grid, 1),
        member=world.a.party_member,
        started_on=TODAY - dt.timedelta(days=100),
    )  # overdue under the default 90 days, and under 30: the recount would write its row
    FigureFineCount.objects.all().delete()
    FigureCount.objects.all().delete()
    settings.XIANGZHI_FIGURES_MAINTAINED = False
    _settings(world.admin, world.township, 30)
    assert not FigureFineCount.objects.exists() and not FigureCount.objects.exists()


@pytest.mark.django_db
def test_the_workbench_names_the_interval_of_a_county_whose_townships_agree(world):
    from xiangzhi.party.selectors import kept_coverage

    county = node_create(
        actor=world.admin, parent=None, level=0, name="覆盖县", code="430521000000"
    )
    town, _ = _county_village(world.admin, county, 1)
    assert kept_coverage(node=county).interval_days == 90
    _settings(world.admin, town, 30)
    assert kept_coverage(node=county).interval_days is None
    assert kept_coverage(node=town).interval_days == 30


@pytest.mark.django_db
def test_the_township_sets_its_interval_on_the_page_and_the_village_lists_its_uncovered(
    client, world
):
    """Through the pages: the settings form (a wrong value named in Chinese, then saved), the
    uncovered list of the village (a new household on it, a linked one not), and the coverage
    page's flagged groups once the quota is below the group's households."""
    admin, a = world.admin, world.a
    fresh = _household(admin, a.grid, 5)
    client.force_login(a.cadre)
    uncovered = client.get(reverse("party:uncovered") + f"?node={a.node.pk}").content.decode()
    assert fresh.address in uncovered and a.household.address not in uncovered
    url = reverse("party:contact_settings", args=[world.township.pk])
    client.force_login(world.chief)
    values = {
        "village_group_quota": "2",
        "community_group_quota": "60",
        "visit_interval_days": "3",
        "follow_up_days": "15",
    }
    wrong = client.post(url, values)
    assert wrong.status_code == 200 and "大于或等于" in wrong.content.decode()
    saved = client.post(url, {**values, "visit_interval_days": "60"})
    assert saved.status_code == 302
    assert coverage_of(actor=admin, node=a.node, start=TODAY, end=TODAY).interval_days == 60
    page = client.get(reverse("party:coverage") + f"?node={a.node.pk}").content.decode()
    assert "逾期户（60天未走访）" in page
    assert a.group.name in page  # over its quota of 2 households


@pytest.mark.django_db
def test_a_visit_after_the_link_ended_does_not_make_a_contact_member(world):
    """联系群众党员数 counts a member who visited a household while being its contact: not before
    the link started, not after it ended (the coverage page and the kept figure alike)."""
    from xiangzhi.party.services import contact_link_end

    admin, a = world.admin, world.a
    member = party_member_register(
        actor=admin,
        resident=_household(admin, a.grid, 7).head,
        category="full",
        joined_on=dt.date(2001, 7, 1),
        organisation=a.group,
    )
    h = _household(admin, a.grid, 8)
    link = contact_link_add(
        actor=admin, household=h, member=member, started_on=TODAY - dt.timedelta(days=30)
    )
    before = _live(admin, a.node)["contact_members"]
    contact_link_end(actor=admin, link=link, reason="调整联系人")
    # The link ended yesterday (a date the service does not set back; no figure reads it).
    ContactLink.objects.filter(pk=link.pk).update(ended_on=TODAY - dt.timedelta(days=1))
    visit_record(
        actor=a.cadre, household=h, member=member, visited_on=TODAY, met="户主", learned="路过"
    )
    assert _live(admin, a.node)["contact_members"] == before
    assert _kept(a.node)["contact_members"] == before
    assert figures.verify() == []
