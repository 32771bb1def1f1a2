"""The grid's demo: the five-level tree of a township (under a county root for --scale county)
and the logins bound to its nodes.

Leaves for the higher apps' loaders, in `context.shared`:
- "grid.towns": [(town number from 1, town node, [its village nodes])], in creation order;
- "grid.village": the first village, whose cadre is "grid.village_cadre" (demo_cun_ganbu).
"""

from __future__ import annotations

from collections.abc import Callable

from xiangzhi.accounts.demo import demo_bind, demo_user
from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.core.demo import DemoContext
from xiangzhi.core.roles import Role
from xiangzhi.core.synthetic import HAMLET_WORDS, SURNAMES

from .models import GridNode, path_segment

TOWN_CODE = "430521100000"
COUNTY_CODE = "430521000000"
VILLAGES = [
    "青山村",
    "枫林村",
    "石门村",
    "白沙村",
    "柳塘村",
    "金盆村",
    "双江村",
    "桃源村",
    "龙潭村",
    "新华村",
    "和平社区",
    "长岭村",
    "大塘村",
    "马山村",
    "清水村",
]
TOWNS = [
    "青山镇",
    "白马镇",
    "金桥镇",
    "花桥镇",
    "石江镇",
    "高坪乡",
    "荷塘乡",
    "麻塘镇",
    "岩口镇",
    "六都寨镇",
    "桃花坪街道",
    "长铺镇",
    "罗洪镇",
    "周旺镇",
    "司门前镇",
    "滩头镇",
    "小沙江镇",
    "横板桥镇",
    "羊古坳镇",
    "南岳庙镇",
]
NUMERALS = "一二三四五六七八九十"

Children = Callable[[GridNode], list[tuple[str, str | None]]]  # parent -> [(name, code)]


def demo_root_code(*, county: bool) -> str:
    """The division code of the demo's root node (seed_demo checks it to run only once)."""
    return COUNTY_CODE if county else TOWN_CODE


def load(context: DemoContext) -> dict[str, int]:
    """The tree, town by town, and the logins of the first town."""
    if context.county:
        county = _root(level=0, name="新宁县", code=COUNTY_CODE)
        names = TOWNS[: context.scale.towns]
        towns = _nodes(
            [county], 1, lambda c: [(n, f"430521{100 + t:03d}000") for t, n in enumerate(names, 1)]
        )
    else:
        county = None
        towns = [_root(level=1, name=TOWNS[0], code=TOWN_CODE)]
    counts = {"grid_nodes": len(towns) + (1 if county else 0)}
    context.shared["grid.towns"] = []
    with context.timed("网格", counts):
        for t, town in enumerate(towns, start=1):
            tree = _town_tree(context, town)
            counts["grid_nodes"] += sum(len(level) for level in tree)
            context.shared["grid.towns"].append((t, town, tree[0]))
            if t == 1:
                _demo_accounts(context, county, town, *tree)
    return counts


def _town_tree(context: DemoContext, town: GridNode) -> list[list[GridNode]]:
    """Villages, party branches, hamlet groups and central households of one town."""
    s, rng = context.scale, context.rng
    villages = _nodes(
        [town],
        2,
        lambda t: [
            (name, f"{t.code[:9]}{200 + i:03d}")
            for i, name in enumerate(VILLAGES[: s.villages_per_town], start=1)
        ],
    )
    branches = _nodes(
        villages,
        3,
        lambda v: [(f"{v.name}第{NUMERALS[i]}党支部", None) for i in range(s.branches_per_village)],
    )
    groups = _nodes(
        branches,
        4,
        lambda b: [
            (f"{b.name[:-3]}{word}屋场党小组", None)
            for word in rng.sample(HAMLET_WORDS, s.groups_per_branch)
        ],
    )
    central = _nodes(
        groups,
        5,
        # Sibling names are unique (a path of names must lead to one node).
        lambda g: [(f"{name}家中心户", None) for name in rng.sample(SURNAMES, s.central_per_group)],
    )
    return [villages, branches, groups, central]


def _root(*, level: int, name: str, code: str) -> GridNode:
    node = GridNode.objects.create(level=level, name=name, code=code, path="", is_synthetic=True)
    node.path = path_segment(node.pk)
    node.save(update_fields=["path"])
    return node


def _nodes(parents: list[GridNode], level: int, children: Children) -> list[GridNode]:
    """Create the next level under each parent in bulk and give every node its path."""
    new = [
        GridNode(parent=p, level=level, name=name, code=code, path="", is_synthetic=True)
        for p in parents
        for name, code in children(p)
    ]
    GridNode.objects.bulk_create(new, batch_size=2000)
    for n in new:
        n.path = n.parent.path + path_segment(n.pk)
    GridNode.objects.bulk_update(new, ["path"], batch_size=2000)
    return new


def _demo_accounts(context, county, town, villages, branches, groups, central) -> None:
    """The county's auditor, the town's secretary, staff and auditor, two villages' cadres, a
    grid worker and a hamlet group's leader."""
    v1, v2 = villages[0], villages[1]
    if county is not None:
        demo_bind(demo_user("demo_xianwei", "县委组织部"), Role.AUDITOR, county)
    demo_bind(
        demo_user("demo_shuji", f"{town.name}党委书记", is_staff=True),
        Role.CHIEF_GRID_LEADER,
        town,
        leader=True,
    )
    staff = demo_user("demo_zhengganbu", "包片镇干部")
    for v in villages[:4]:
        demo_bind(staff, Role.TOWNSHIP_STAFF, v)
    demo_bind(
        demo_user("demo_cun_shuji", f"{v1.name}书记"), Role.VILLAGE_SECRETARY, v1, leader=True
    )
    cadre = demo_user("demo_cun_ganbu", f"{v1.name}干部")
    demo_bind(cadre, Role.VILLAGE_CADRE, v1)
    demo_bind(
        demo_user("demo_cun_shuji2", f"{v2.name}书记"), Role.VILLAGE_SECRETARY, v2, leader=True
    )
    worker = demo_user("demo_wanggeyuan", "网格员")
    group1 = groups[0]
    for c in [n for n in central if n.parent_id == group1.pk]:
        demo_bind(worker, Role.GRID_WORKER, c)
    demo_bind(demo_user("demo_zuzhang", "屋场党小组长"), Role.GROUP_LEADER, group1, leader=True)
    demo_bind(demo_user("demo_shenji", "纪检审计"), Role.AUDITOR, town)
    # The civil affairs office (made by accounts' demo) serves the town: its staff see the
    # town's households and people carrying the tags 民政 serves (core.scope SCOPE_SERVED_BY).
    RoleAssignment.objects.filter(
        user__username="demo_minzheng", role=Role.DEPARTMENT_STAFF, node__isnull=True
    ).update(node=town)
    context.shared["grid.village"] = v1
    context.shared["grid.village_cadre"] = cadre
