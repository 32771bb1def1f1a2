import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.core import registry
from xiangzhi.core.audit import verify_chain
from xiangzhi.core.demo import SCALES, Scale
from xiangzhi.core.roles import Role
from xiangzhi.core.validators import parse_citizen_id
from xiangzhi.grid.models import GridNode
from xiangzhi.party.models import PartyMember, Visit
from xiangzhi.people.models import Household, HouseholdChange, Resident


def _fingerprint():
    return [
        (r.name, r.birth_date, r.gender, r.id_number, r.household.number)
        for r in Resident.objects.select_related("household").order_by(
            "household__number", "relation", "name", "birth_date"
        )[:300]
    ]


def _seeded_fingerprint(seed: str) -> list:
    """The fingerprint of a demo seeded with this seed, then undone: the seed runs in a savepoint
    that is rolled back, so the next seed starts from the same empty database whatever tables the
    apps' demos fill."""
    with transaction.atomic():
        call_command("seed_demo", "--seed", seed, stdout=StringIO())
        assert Household.objects.count() == 120
        fingerprint = _fingerprint()
        transaction.set_rollback(True)
    assert not Household.objects.exists()
    return fingerprint


@pytest.mark.django_db
def test_the_demo_township_is_complete_and_idempotent():
    from django.db import connection

    if connection.vendor != "sqlite":
        # Six minutes of a loaded CI run; the seed's code is the same on both databases, and the
        # small towns below run on both.
        pytest.skip("完整的演示乡镇只在 SQLite 一轮测试（make demo 用 SQLite）")
    out = StringIO()
    call_command("seed_demo", "--scale", "town", "--seed", "7", stdout=out)
    assert GridNode.objects.filter(level=2).count() == 12
    assert 1100 <= GridNode.objects.count() <= 1300
    assert sorted(set(GridNode.objects.values_list("level", flat=True))) == [1, 2, 3, 4, 5]
    assert Household.objects.count() == 5000
    assert 15000 <= Resident.objects.count() <= 17500
    assert PartyMember.objects.count() == 600
    assert not Resident.objects.filter(is_synthetic=False).exists()
    for r in Resident.objects.order_by("?")[:200]:
        cid = parse_citizen_id(r.id_number)
        assert (cid.birth_date, cid.gender) == (r.birth_date, r.gender)
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert "demo_shuji" in out.getvalue() and "xiangzhi-demo" in out.getvalue()
    assert verify_chain()[1] is None
    # The demo cadre's village has a month of births, deaths and moves for its 人口变动台账.
    recent = HouseholdChange.objects.filter(
        occurred_on__gte=timezone.localdate() - dt.timedelta(days=56),
        kind__in=["birth", "death", "move_out"],
    )
    assert recent.count() == 12 and len({c.kind for c in recent}) == 3
    # 民政's demo login serves the town: every 低保户 of it, and no household without a tag.
    minzheng = User.objects.get(username="demo_minzheng")
    served = Household.objects.for_actor(minzheng)
    low_income = Household.objects.filter(tags__code="subsistence_allowance")
    assert served.count() == low_income.count() > 100
    assert not served.filter(tags__isnull=True).exists()

    again = StringIO()
    call_command("seed_demo", "--seed", "7", stdout=again)
    assert "已存在" in again.getvalue() and Household.objects.count() == 5000


# A town of the demo's shape, small: what makes the demo deterministic (the seeded synthetic
# generator and the loaders' order) does not depend on its size, and the full town is seeded
# once above (twice here cost a minute of every database run of the suite).
SMALL_TOWN = Scale(
    towns=1,
    villages_per_town=3,
    branches_per_village=2,
    groups_per_branch=2,
    central_per_group=2,
    households_per_town=120,
    party_members_per_town=12,
)


# The loaders the residents come from: the higher apps' loaders read them and add their own
# records (members, visits, points, appeals), and change none of the fingerprint's columns; they
# took two thirds of this test's time (84 s of a PostgreSQL run).
RESIDENT_LOADERS = ("accounts", "grid", "people")


@pytest.mark.django_db
def test_the_demo_is_the_same_for_the_same_seed(monkeypatch):
    monkeypatch.setitem(SCALES, "town", SMALL_TOWN)
    loaders = {k: v for k, v in registry.DEMO_LOADERS.items() if k in RESIDENT_LOADERS}
    assert set(loaders) == set(RESIDENT_LOADERS)
    monkeypatch.setattr(registry, "DEMO_LOADERS", loaders)
    first = _seeded_fingerprint("7")
    assert _seeded_fingerprint("7") == first
    assert _seeded_fingerprint("8") != first  # the fingerprint tells two seeds apart


@pytest.mark.django_db
def test_a_county_is_towns_of_villages_with_a_county_root():
    from xiangzhi.core.demo import DemoContext
    from xiangzhi.demo.management.commands.seed_demo import load_demo

    small = Scale(
        towns=3,
        villages_per_town=2,
        branches_per_village=2,
        groups_per_branch=2,
        central_per_group=2,
        households_per_town=40,
        party_members_per_town=6,
    )
    counts = load_demo(DemoContext(seed=3, scale=small, county=True))
    root = GridNode.objects.get(level=0)
    assert (
        root.code == "430521000000" and GridNode.objects.filter(level=1, parent=root).count() == 3
    )
    assert {
        k: counts[k]
        for k in (
            "grid_nodes",
            "households",
            "residents",
            "party_members",
            "recent_changes",
            "contact_links",
            "visits",
        )
    } == {
        "grid_nodes": 1 + 3 + 3 * (2 + 4 + 8 + 16),
        "households": 120,
        "residents": Resident.objects.count(),
        "party_members": 18,
        "recent_changes": 12,
        # Every household linked to a member, with a year of visits (party's contact work).
        "contact_links": 120,
        "visits": Visit.objects.count(),
    }
    assert 120 * 2 < counts["visits"] < 120 * 10
    codes = set(GridNode.objects.filter(level=2).values_list("code", flat=True))
    assert len(codes) == 6 and all(len(c) == 12 for c in codes)
    # Every household sits on a central household of its own town.
    for h in Household.objects.select_related("node")[:50]:
        assert h.node.level == 5 and h.number.startswith("T")
    assert User.objects.filter(username="demo_xianwei").exists()
