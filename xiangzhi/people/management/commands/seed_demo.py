"""Load a deterministic synthetic township: the five-level grid, households, residents, party
members and a login for every role. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from xiangzhi.accounts.models import Department, RoleAssignment, User
from xiangzhi.core.audit import audit_record
from xiangzhi.core.roles import Role
from xiangzhi.core.synthetic import HAMLET_WORDS, Synth
from xiangzhi.grid.models import GridNode, path_segment
from xiangzhi.party.models import PartyMember
from xiangzhi.people.models import Household, HouseholdChange, Resident, Tag

ROOT_CODE = "430521100000"
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
]
DEMO_PASSWORD = "xiangzhi-demo"
BRANCHES_PER_VILLAGE = 4
GROUPS_PER_BRANCH = 5
CENTRAL_PER_GROUP = 4
HOUSEHOLDS = 5000
PARTY_MEMBERS = 600


class Command(BaseCommand):
    help = "载入演示乡镇(合成数据,可重复运行)"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["town"], default="town")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scale: str, seed: int, **opts):
        if GridNode.objects.filter(code=ROOT_CODE).exists():
            self.stdout.write("演示乡镇已存在,未做任何改动。")
            self.print_logins()
            return
        if GridNode.objects.exists():
            raise CommandError("数据库中已有其他网格数据,为避免混淆,演示数据只能载入空库。")
        started = time.monotonic()
        with transaction.atomic():
            counts = load_town(seed)
            audit_record(
                actor=None,
                action="seed_demo.load",
                object_type="grid.gridnode",
                object_repr="演示乡镇",
                changes={"seed": seed, "scale": scale, **counts},
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入演示乡镇({time.monotonic() - started:.1f} 秒):"
                + ",".join(f"{k} {v}" for k, v in counts.items())
            )
        )
        self.print_logins()

    def print_logins(self):
        self.stdout.write(f"\n演示账号(密码均为 {DEMO_PASSWORD}):")
        for u in User.objects.filter(username__startswith="demo_").order_by("id"):
            roles = (
                "、".join(
                    f"{ra.get_role_display()}@{ra.node or ra.department or '本户'}"
                    for ra in u.role_assignments.all()
                )
                or "系统管理员"
            )
            self.stdout.write(f"  {u.username:<22} {u.display_name:<10} {roles}")


def _nodes(parent_rows, level, names_for):
    """Create the next level under each parent in bulk and give every node its path."""
    new = []
    for parent in parent_rows:
        for name in names_for(parent):
            new.append(GridNode(parent=parent, level=level, name=name, path="", is_synthetic=True))
    GridNode.objects.bulk_create(new, batch_size=1000)
    for n in new:
        n.path = n.parent.path + path_segment(n.pk)
    GridNode.objects.bulk_update(new, ["path"], batch_size=1000)
    return new


def load_town(seed: int) -> dict:
    synth = Synth(seed)
    rng = synth.rng
    today = timezone.localdate()
    root = GridNode.objects.create(
        level=1, name="青山镇", code=ROOT_CODE, path="", is_synthetic=True
    )
    root.path = path_segment(root.pk)
    root.save(update_fields=["path"])
    villages = []
    for i, name in enumerate(VILLAGES, start=1):
        villages.append(
            GridNode(
                parent=root,
                level=2,
                name=name,
                code=f"4305211002{i:02d}",
                path="",
                is_synthetic=True,
            )
        )
    GridNode.objects.bulk_create(villages)
    for v in villages:
        v.path = root.path + path_segment(v.pk)
    GridNode.objects.bulk_update(villages, ["path"])
    numerals = "一二三四五六七八九十"
    branches = _nodes(
        villages,
        3,
        lambda v: [f"{v.name}第{numerals[i]}党支部" for i in range(BRANCHES_PER_VILLAGE)],
    )
    groups = _nodes(
        branches,
        4,
        lambda b: [
            f"{b.name[:-3]}{rng.choice(HAMLET_WORDS)}屋场党小组" for _ in range(GROUPS_PER_BRANCH)
        ],
    )
    central = _nodes(
        groups, 5, lambda g: [f"{synth.surname()}家中心户" for _ in range(CENTRAL_PER_GROUP)]
    )

    # Households spread over the central households, members drawn per household.
    households = []
    for i in range(HOUSEHOLDS):
        node = central[i % len(central)] if i < len(central) else rng.choice(central)
        village_no = VILLAGES.index(_village_name(node, villages)) + 1
        households.append(
            Household(
                node=node,
                number=f"V{village_no:02d}-{i + 1:05d}",
                address=f"{node.name[:-5]}{rng.randint(1, 99)}号",
                is_synthetic=True,
                note="合成演示数据",
            )
        )
    Household.objects.bulk_create(households, batch_size=1000)

    residents: list[Resident] = []
    heads: dict[int, Resident] = {}
    for h in households:
        surname = synth.surname()
        size = rng.choices([1, 2, 3, 4, 5, 6], weights=[10, 22, 25, 23, 13, 7])[0]
        head_gender = "M" if rng.random() < 0.8 else "F"
        head_birth = synth.birth_date(28, 85, today)
        plan = [("head", head_gender, head_birth)]
        if size >= 2:
            plan.append(
                ("spouse", "F" if head_gender == "M" else "M", synth.birth_date(26, 85, today))
            )
        for _ in range(size - len(plan)):
            if head_birth.year < 1965 and rng.random() < 0.5:
                plan.append(("grandchild", rng.choice("MF"), synth.birth_date(0, 17, today)))
            else:
                plan.append(("child", rng.choice("MF"), synth.birth_date(0, 35, today)))
        for relation, gender, birth in plan:
            name = (surname if relation != "spouse" else synth.surname()) + synth.given()
            r = Resident(
                household=h,
                node=h.node,
                name=name,
                gender=gender,
                birth_date=birth,
                id_number=synth.id_number(birth, gender),
                phone=synth.phone()
                if (today - birth).days > 16 * 365 and rng.random() < 0.8
                else "",
                relation=relation,
                is_synthetic=True,
            )
            r.prepare()
            residents.append(r)
            if relation == "head":
                heads[id(h)] = r
    Resident.objects.bulk_create(residents, batch_size=2000)
    for h in households:
        h.head = heads[id(h)]
    Household.objects.bulk_update(households, ["head"], batch_size=1000)
    HouseholdChange.objects.bulk_create(
        [
            HouseholdChange(
                household=h,
                kind=HouseholdChange.Kind.MOVE_IN,
                occurred_on=dt.date(2020, 1, 1),
                resident=h.head,
                note="初始登记(合成演示数据)",
            )
            for h in households
        ],
        batch_size=2000,
    )

    # Tags: a share of households and residents.
    tags = {t.code: t for t in Tag.objects.all()}
    through = Household.tags.through
    links = []
    for h in households:
        for code, p in (
            ("poverty_alleviated", 0.08),
            ("subsistence_allowance", 0.04),
            ("large_grower", 0.05),
            ("self_employed_business", 0.06),
            ("returnee", 0.05),
        ):
            if rng.random() < p:
                links.append(through(household_id=h.pk, tag_id=tags[code].pk))
    through.objects.bulk_create(links, batch_size=2000)
    rthrough = Resident.tags.through
    rlinks = []
    for r in residents:
        age = (today - r.birth_date).days // 365
        if age >= 70 and rng.random() < 0.15:
            rlinks.append(rthrough(resident_id=r.pk, tag_id=tags["elderly_living_alone"].pk))
        if age < 14 and rng.random() < 0.2:
            rlinks.append(rthrough(resident_id=r.pk, tag_id=tags["left_behind_child"].pk))
        if rng.random() < 0.02:
            rlinks.append(rthrough(resident_id=r.pk, tag_id=tags["disabled"].pk))
    rthrough.objects.bulk_create(rlinks, batch_size=2000)

    # Party members: adults, organised in their hamlet group (level 4), a few probationary.
    adults = [r for r in residents if (today - r.birth_date).days > 22 * 365]
    chosen = rng.sample(adults, PARTY_MEMBERS)
    node_parent = {n.pk: n.parent for n in central}
    members = []
    for r in chosen:
        earliest = r.birth_date + dt.timedelta(days=19 * 365)
        joined = earliest + dt.timedelta(days=rng.randint(0, max(1, (today - earliest).days - 30)))
        members.append(
            PartyMember(
                resident=r,
                organisation=node_parent[r.node_id],
                joined_on=joined,
                is_synthetic=True,
                category=PartyMember.Category.PROBATIONARY
                if rng.random() < 0.04
                else PartyMember.Category.FULL,
            )
        )
    PartyMember.objects.bulk_create(members, batch_size=1000)
    # Each central household is the home of a party member where one lives in that node.
    member_households = {m.resident.household_id for m in members}
    Household.objects.filter(pk__in=member_households).update(is_central_household=True)

    _demo_accounts(root, villages, branches, groups, central, households, members)
    return {
        "grid_nodes": 1 + len(villages) + len(branches) + len(groups) + len(central),
        "households": len(households),
        "residents": len(residents),
        "party_members": len(members),
    }


def _village_name(node, villages):
    prefix = node.path[: len(villages[0].path)]
    for v in villages:
        if v.path == prefix:
            return v.name
    raise ValueError("node outside the villages")


def _demo_accounts(root, villages, branches, groups, central, households, members):
    def user(username, display, **extra):
        u = User(username=username, display_name=display, **extra)
        u.set_password(DEMO_PASSWORD)
        u.save()
        return u

    def bind(u, role, node=None, department=None, leader=False):
        RoleAssignment.objects.create(
            user=u, role=role, node=node, department=department, is_grid_leader=leader
        )

    v1, v2 = villages[0], villages[1]
    user("demo_admin", "系统管理员", is_superuser=True, is_staff=True)
    bind(user("demo_shuji", "镇党委书记", is_staff=True), Role.CHIEF_GRID_LEADER, root, leader=True)
    staff = user("demo_zhengganbu", "包片镇干部")
    for v in villages[:4]:
        bind(staff, Role.TOWNSHIP_STAFF, v)
    bind(
        user("demo_minzheng", "民政办"),
        Role.DEPARTMENT_STAFF,
        department=Department.objects.get(code="civil_affairs"),
    )
    bind(user("demo_cun_shuji", f"{v1.name}书记"), Role.VILLAGE_SECRETARY, v1, leader=True)
    bind(user("demo_cun_ganbu", f"{v1.name}干部"), Role.VILLAGE_CADRE, v1)
    bind(user("demo_cun_shuji2", f"{v2.name}书记"), Role.VILLAGE_SECRETARY, v2, leader=True)
    worker = user("demo_wanggeyuan", "网格员")
    group1 = groups[0]
    for c in [n for n in central if n.parent_id == group1.pk]:
        bind(worker, Role.GRID_WORKER, c)
    bind(user("demo_zuzhang", "屋场党小组长"), Role.GROUP_LEADER, group1, leader=True)
    bind(user("demo_shenji", "纪检审计"), Role.AUDITOR, root)
    member = next(m for m in members if m.resident.node.path.startswith(v1.path))
    pm_user = user("demo_dangyuan", member.resident.name)
    Resident.objects.filter(pk=member.resident.pk).update(user=pm_user)
    bind(pm_user, Role.PARTY_MEMBER)
    villager_res = (
        Resident.objects.filter(node__path__startswith=v1.path, relation="head", user__isnull=True)
        .order_by("id")
        .first()
    )
    v_user = user("demo_cunmin", villager_res.name)
    Resident.objects.filter(pk=villager_res.pk).update(user=v_user)
    bind(v_user, Role.VILLAGER)
