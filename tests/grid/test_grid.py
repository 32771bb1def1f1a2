import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiangzhi.core.registry import FIGURES
from xiangzhi.grid.models import GridNode
from xiangzhi.grid.services import node_create, node_move
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import ResidentData, household_register

from ..factories import make_id


def test_levels_follow_the_five_level_grid(world):
    assert [
        world.township.level,
        world.a.node.level,
        world.a.branch.level,
        world.a.group.level,
        world.a.grid.level,
    ] == [1, 2, 3, 4, 5]
    with pytest.raises(ValidationError) as exc:
        node_create(actor=world.admin, parent=world.a.grid, name="第六级")
    assert "不能再设网格" in str(exc.value)
    with pytest.raises(ValidationError):
        node_create(actor=world.admin, parent=world.township, name="坏代码", code="12345")


def _people(counts: dict) -> dict:
    """The registry's own figures (the test suite's throwaway app adds one of its own)."""
    return {k: counts[k] for k in ("households", "residents", "party_members")}


def test_the_grid_page_rolls_counts_up(client, world):
    client.force_login(world.chief)
    r = client.get(f"/grid/nodes/{world.township.pk}/")
    body = r.content.decode()
    assert r.status_code == 200
    total = r.context["total"]
    assert _people(total.counts) == {"households": 4, "residents": 6, "party_members": 2}
    assert total.levels == {2: 2, 3: 2, 4: 2, 5: 4}
    rows = {row.node.pk: row for row in r.context["children"]}
    assert _people(rows[world.a.node.pk].counts) == {
        "households": 2,
        "residents": 3,
        "party_members": 1,
    }
    assert rows[world.a.node.pk].levels == {3: 1, 4: 1, 5: 2}
    assert "甲村" in body and "乙村" in body


def test_a_village_cadre_lands_on_their_village(client, world):
    client.force_login(world.a.cadre)
    r = client.get("/grid/")
    assert r.status_code == 302 and r["Location"] == f"/grid/nodes/{world.a.node.pk}/"


def test_moving_a_subtree_keeps_every_record_with_its_node(world):
    a, b = world.a, world.b
    node_move(actor=world.chief, node=a.group, new_parent=b.branch)
    group = GridNode.objects.get(pk=a.group.pk)
    assert group.parent_id == b.branch.pk and group.path.startswith(b.branch.path)
    for n in GridNode.objects.filter(pk__in=[a.grid.pk, a.sibling_grid.pk]):
        assert n.path.startswith(group.path) and len(n.path) == len(group.path) + 5
    # The household now rolls up into village B, and B's cadre sees it, A's no longer does.
    assert Household.objects.for_actor(b.cadre).filter(pk=a.household.pk).exists()
    assert not Household.objects.for_actor(a.cadre).filter(pk=a.household.pk).exists()
    assert Resident.objects.for_actor(b.cadre).filter(pk=a.head.pk).exists()


def test_a_move_is_in_the_trail_of_the_village_it_left_and_of_the_one_it_joined(world):
    from xiangzhi.core.models import AuditEvent
    from xiangzhi.core.selectors import audit_event_list

    node_move(actor=world.chief, node=world.a.group, new_parent=world.b.branch)
    moves = AuditEvent.objects.filter(action="grid.node_move", object_id=str(world.a.group.pk))
    for auditor in (world.a.auditor, world.b.auditor):
        seen = audit_event_list(actor=auditor).filter(pk__in=moves)
        assert [e.changes["parent_id"] for e in seen] == [[world.a.branch.pk, world.b.branch.pk]]


def test_a_subtree_cannot_move_under_itself_or_to_the_wrong_level(world):
    with pytest.raises(ValidationError):
        node_move(actor=world.chief, node=world.a.branch, new_parent=world.a.group)
    with pytest.raises(ValidationError):
        node_move(actor=world.chief, node=world.a.group, new_parent=world.b.node)


def test_a_village_secretary_cannot_move_nodes_into_another_village(world):
    with pytest.raises(PermissionDenied):
        node_move(actor=world.a.secretary, node=world.a.group, new_parent=world.b.branch)


def _grow(world, villages: int):
    """Add villages with households under the township: the tree grows, queries must not."""
    for i in range(villages):
        v = node_create(actor=world.admin, parent=world.township, name=f"扩展村{i}")
        b = node_create(actor=world.admin, parent=v, name=f"扩展村{i}支部")
        g = node_create(actor=world.admin, parent=b, name=f"扩展村{i}小组")
        for j in range(3):
            c = node_create(actor=world.admin, parent=g, name=f"扩展{i}-{j}中心户")
            household_register(
                actor=world.admin,
                node=c,
                address=f"扩展{i}-{j}号",
                head=ResidentData(name=f"丙{i}{j}", id_number=make_id(dt.date(1960, 1, 1), "M")),
            )


@pytest.mark.parametrize(
    "path",
    [
        "/grid/nodes/{township}/",
        "/people/households/",
        "/people/residents/?q=jia",
        "/people/residents/",
        "/people/changes/",
        "/core/audit/",
        "/people/households/?node={township}",
    ],
)
def test_page_queries_do_not_grow_with_the_tree(client, world, path):
    client.force_login(world.chief)
    url = path.format(township=world.township.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(world, 6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200

    # A list that grows past one page adds its COUNT (a first page that holds the whole list
    # needs none); nothing else may come with more rows.
    def counts(ctx):
        return sum(
            q["sql"].lstrip().upper().startswith("SELECT COUNT(") for q in ctx.captured_queries
        )

    assert len(large) - counts(large) == len(small) - counts(small), [
        q["sql"][:120] for q in large.captured_queries
    ]
    assert counts(small) <= counts(large) <= counts(small) + 1


def test_api_node_detail_has_the_same_rollup(client, world):
    from xiangzhi.accounts.services import api_token_create

    _, token = api_token_create(actor=world.chief, name="t")
    r = client.get(f"/api/v1/grid/nodes/{world.township.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200
    data = r.json()
    assert _people(data["counts"]) == {"households": 4, "residents": 6, "party_members": 2}
    assert {c["node"]["name"] for c in data["children"]} == {"甲村", "乙村"}


def test_level_names_are_configurable(client, world, settings):
    settings.XIANGZHI_GRID_LEVELS = {**settings.XIANGZHI_GRID_LEVELS, 4: "村民小组"}
    client.force_login(world.a.cadre)
    body = client.get(f"/grid/nodes/{world.a.node.pk}/").content.decode()
    assert "村民小组" in body


def test_sibling_grids_cannot_share_a_name(world):
    with pytest.raises(ValidationError) as exc:
        node_create(actor=world.admin, parent=world.a.group, name="甲家中心户")
    assert "不能重名" in str(exc.value)
    node_create(actor=world.admin, parent=world.b.group, name="甲家中心户")  # a cousin may


def test_rollups_from_the_compiled_queries_equal_direct_counts(world):
    """Roll-up queries are compiled once and refilled per node; every node must still get its
    own counts (checked against plain ORM counts, from the county down to a central household)."""
    from xiangzhi.grid import rollup
    from xiangzhi.party.models import PartyMember

    rollup._compiled.clear()
    for node in GridNode.objects.order_by("level", "path"):
        children = list(node.children.order_by("path"))
        total, rows = rollup.rollup_children(node, children)
        for r in [total, *rows]:
            under = r.node.path
            assert _people(r.counts) == {
                "households": Household.objects.filter(
                    status="active", node__path__under=under
                ).count(),
                "residents": Resident.objects.filter(
                    status="active", node__path__under=under
                ).count(),
                "party_members": PartyMember.objects.filter(
                    resident__status="active", resident__node__path__under=under
                ).count(),
            }, r.node
            # Every registered figure (the test suite's own app's included) rolls up the same way.
            # (a figure with sum_of adds a field up: the points issued, not the entries)
            assert r.counts == {
                f.key: f.queryset()
                .filter(**{f"{f.path_lookup}__under": under})
                .aggregate(n=f.measure())["n"]
                or 0
                for f in FIGURES
            }, r.node
    assert rollup._compiled and all(v is not None for v in rollup._compiled.values())


@pytest.mark.parametrize("second_first", [False, True])
def test_a_move_between_two_townships_takes_their_chains_heads_in_key_order(world, second_first):
    """Filed under the old parent and the new place, a village moved between townships writes
    two chains in one transaction; taken in call order, two moves the other way round would
    each wait for the head the other holds."""
    from xiangzhi.core.models import AuditEvent, AuditHead

    root = world.township.parent
    other = node_create(actor=world.admin, parent=root, name="第二镇")
    village = world.a.village if hasattr(world.a, "village") else world.a.branch.parent
    if second_first:  # the village moves from the township whose key sorts last
        node_move(actor=world.admin, node=village, new_parent=other)
        village.refresh_from_db()
    before = AuditEvent.objects.count()
    target = world.township if second_first else other
    with CaptureQueriesContext(connection) as ctx:
        node_move(actor=world.admin, node=village, new_parent=target)
    heads = set(AuditHead.objects.values_list("key", flat=True))
    keys = [  # each head's lock, in the order taken (a SELECT ... FOR UPDATE on PostgreSQL)
        next(k for k in heads if f"'{k}'" in q["sql"])
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "core_audithead"' in q["sql"]
    ]
    assert AuditEvent.objects.count() == before + 2
    assert len(keys) == 2 and keys == sorted(keys), keys
