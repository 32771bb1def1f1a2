"""Load a deterministic synthetic township (or county): the five-level grid, households,
residents, party members and a login for every role. Running it again changes nothing.

Households and residents are made village by village and written in bulk, so memory stays
bounded by one village whatever the scale."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from xiangzhi.accounts.models import Department, RoleAssignment, User
from xiangzhi.core.audit import audit_record
from xiangzhi.core.roles import Role
from xiangzhi.core.synthetic import HAMLET_WORDS, SURNAMES, Synth
from xiangzhi.demo.actions import DemoAction
from xiangzhi.grid.models import GridNode, path_segment
from xiangzhi.party.models import PartyMember
from xiangzhi.people.models import Household, HouseholdChange, Resident, Tag

DEMO_PASSWORD = "xiangzhi-demo"
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


@dataclass(frozen=True)
class Scale:
    towns: int
    villages_per_town: int
    branches_per_village: int
    groups_per_branch: int
    central_per_group: int
    households_per_town: int
    party_members_per_town: int


SCALES = {
    "town": Scale(1, 12, 4, 5, 4, 5000, 600),
    "county": Scale(20, 15, 4, 5, 4, 7500, 1000),
}


class Command(BaseCommand):
    help = "载入演示乡镇(--scale town)或演示县(--scale county);合成数据,可重复运行"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="town")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scale: str, seed: int, **opts):
        root_code = TOWN_CODE if scale == "town" else COUNTY_CODE
        if GridNode.objects.filter(code=root_code).exists():
            self.stdout.write("演示数据已存在,未做任何改动。")
            self.print_logins()
            return
        if GridNode.objects.exists():
            raise CommandError("数据库中已有其他网格数据,为避免混淆,演示数据只能载入空库。")
        started = time.monotonic()
        loader = Loader(seed, SCALES[scale], verbose=self.stdout if scale == "county" else None)
        with transaction.atomic():
            counts = loader.load(county=scale == "county")
            audit_record(
                actor=None,
                action=DemoAction.SEED_LOAD,
                object_type="grid.gridnode",
                object_repr="演示数据",
                changes={"seed": seed, "scale": scale, **counts},
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入演示数据({time.monotonic() - started:.1f} 秒):"
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
                    for ra in u.role_assignments.select_related("node", "department")
                )
                or "系统管理员"
            )
            self.stdout.write(f"  {u.username:<22} {u.display_name:<10} {roles}")


def _nodes(parents, level, names_for) -> list[GridNode]:
    """Create the next level under each parent in bulk and give every node its path."""
    new = [
        GridNode(parent=p, level=level, name=name, path="", is_synthetic=True)
        for p in parents
        for name in names_for(p)
    ]
    GridNode.objects.bulk_create(new, batch_size=2000)
    for n in new:
        n.path = n.parent.path + path_segment(n.pk)
    GridNode.objects.bulk_update(new, ["path"], batch_size=2000)
    return new


class Loader:
    def __init__(self, seed: int, scale: Scale, verbose=None):
        self.synth = Synth(seed)
        self.rng = self.synth.rng
        self.scale = scale
        self.today = timezone.localdate()
        self.tags = {t.code: t.pk for t in Tag.objects.all()}
        self.verbose = verbose
        self.counts = {"grid_nodes": 0, "households": 0, "residents": 0, "party_members": 0}
        self.first_town: dict = {}

    def load(self, *, county: bool) -> dict:
        if county:
            root = self._root(level=0, name="新宁县", code=COUNTY_CODE)
            towns = []
            for t, name in enumerate(TOWNS[: self.scale.towns], start=1):
                towns.append(
                    GridNode(
                        parent=root,
                        level=1,
                        name=name,
                        code=f"430521{100 + t:03d}000",
                        path="",
                        is_synthetic=True,
                    )
                )
            GridNode.objects.bulk_create(towns)
            for town in towns:
                town.path = root.path + path_segment(town.pk)
            GridNode.objects.bulk_update(towns, ["path"])
            self.counts["grid_nodes"] += 1 + len(towns)
        else:
            root = None
            towns = [self._root(level=1, name=TOWNS[0], code=TOWN_CODE)]
            self.counts["grid_nodes"] += 1
        for t, town in enumerate(towns, start=1):
            started = time.monotonic()
            self._town(town, t, county)
            if self.verbose:
                self.verbose.write(
                    f"  {town.name}: {time.monotonic() - started:.1f} 秒,累计 {self.counts}"
                )
        _demo_accounts(county_root=root, **self.first_town)
        self.counts["recent_changes"] = self._recent_changes()
        return self.counts

    def _recent_changes(self, households: int = 12) -> int:
        """Births, deaths and moves of the last eight weeks in the demo cadre's village, made
        through the registry's services (history, audit), so that the 人口变动台账 has a month to
        report and the household pages a history."""
        from xiangzhi.people.services import (
            ResidentData,
            resident_add,
            resident_move_out,
            resident_record_death,
        )

        cadre = User.objects.get(username="demo_cun_ganbu")
        village = cadre.role_assignments.get().node
        rng, made = self.rng, 0
        chosen = Household.objects.filter(
            node__path__startswith=village.path, status=Household.Status.ACTIVE
        ).order_by("id")[:households]
        for i, household in enumerate(chosen):
            day = self.today - dt.timedelta(days=rng.randrange(0, 56))
            members = list(
                household.members.filter(status=Resident.Status.ACTIVE)
                .exclude(pk=household.head_id)
                .order_by("id")
            )
            if i % 3 == 0 or not members:
                gender = rng.choice("MF")
                baby = resident_add(
                    actor=cadre,
                    household=household,
                    kind=HouseholdChange.Kind.BIRTH,
                    occurred_on=day,
                    data=ResidentData(
                        name=household.head.name[0] + self.synth.given(),
                        gender=gender,
                        birth_date=day,
                        relation=Resident.Relation.GRANDCHILD,
                    ),
                )
                Resident.objects.filter(pk=baby.pk).update(is_synthetic=True)
                self.counts["residents"] += 1
            elif i % 3 == 1:
                resident_record_death(actor=cadre, resident=members[0], occurred_on=day)
            else:
                resident_move_out(
                    actor=cadre, resident=members[-1], occurred_on=day, note="外出务工,迁往县城"
                )
            made += 1
        return made

    def _root(self, *, level, name, code) -> GridNode:
        node = GridNode.objects.create(
            level=level, name=name, code=code, path="", is_synthetic=True
        )
        node.path = path_segment(node.pk)
        node.save(update_fields=["path"])
        return node

    def _town(self, town: GridNode, t: int, county: bool) -> None:
        s, rng = self.scale, self.rng
        names = VILLAGES[: s.villages_per_town]
        villages = [
            GridNode(
                parent=town,
                level=2,
                name=name,
                code=f"{town.code[:9]}{200 + i:03d}",
                path="",
                is_synthetic=True,
            )
            for i, name in enumerate(names, start=1)
        ]
        GridNode.objects.bulk_create(villages)
        for v in villages:
            v.path = town.path + path_segment(v.pk)
        GridNode.objects.bulk_update(villages, ["path"])
        branches = _nodes(
            villages,
            3,
            lambda v: [f"{v.name}第{NUMERALS[i]}党支部" for i in range(s.branches_per_village)],
        )
        groups = _nodes(
            branches,
            4,
            lambda b: [
                f"{b.name[:-3]}{word}屋场党小组"
                for word in rng.sample(HAMLET_WORDS, s.groups_per_branch)
            ],
        )
        central = _nodes(
            groups,
            5,
            # Sibling names are unique (a path of names must lead to one node).
            lambda g: [f"{name}家中心户" for name in rng.sample(SURNAMES, s.central_per_group)],
        )
        self.counts["grid_nodes"] += len(villages) + len(branches) + len(groups) + len(central)
        by_village: dict[int, list[GridNode]] = {v.pk: [] for v in villages}
        group_of = {g.pk: g for g in groups}
        for c in central:
            by_village[group_of[c.parent_id].parent.parent_id].append(c)
        per_village = s.households_per_town // len(villages)
        members_per_village = s.party_members_per_town // len(villages)
        first_members = []
        for v_no, village in enumerate(villages, start=1):
            prefix = f"T{t:02d}V{v_no:02d}" if county else f"V{v_no:02d}"
            count = per_village + (1 if v_no <= s.households_per_town % len(villages) else 0)
            extra = 1 if v_no <= s.party_members_per_town % len(villages) else 0
            members = self._village(
                by_village[village.pk], prefix, count, members_per_village + extra
            )
            if v_no == 1:
                first_members = members
        if not self.first_town:
            self.first_town = {
                "root": town,
                "villages": villages,
                "groups": groups,
                "central": central,
                "members": first_members,
            }

    def _village(self, central: list[GridNode], prefix: str, count: int, party_members: int):
        """Households, residents, history, tags and party members of one village, in bulk."""
        rng, synth, today = self.rng, self.synth, self.today
        households = []
        for i in range(count):
            node = central[i] if i < len(central) else rng.choice(central)
            households.append(
                Household(
                    node=node,
                    number=f"{prefix}-{i + 1:05d}",
                    address=f"{node.name[:-5]}{rng.randint(1, 99)}号",
                    is_synthetic=True,
                    note="合成演示数据",
                )
            )
        Household.objects.bulk_create(households, batch_size=2000)
        residents: list[Resident] = []
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
                    h.head = r
        Resident.objects.bulk_create(residents, batch_size=2000)
        Household.objects.bulk_update(households, ["head"], batch_size=2000)
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
        self._tags(households, residents)
        members = self._party(residents, central, party_members)
        self.counts["households"] += len(households)
        self.counts["residents"] += len(residents)
        self.counts["party_members"] += len(members)
        return members

    def _tags(self, households, residents) -> None:
        rng, today, tags = self.rng, self.today, self.tags
        through = Household.tags.through
        links = [
            through(household_id=h.pk, tag_id=tags[code])
            for h in households
            for code, p in (
                ("poverty_alleviated", 0.08),
                ("subsistence_allowance", 0.04),
                ("large_grower", 0.05),
                ("self_employed_business", 0.06),
                ("returnee", 0.05),
            )
            if rng.random() < p
        ]
        through.objects.bulk_create(links, batch_size=2000)
        rthrough = Resident.tags.through
        rlinks = []
        for r in residents:
            age = (today - r.birth_date).days // 365
            if age >= 70 and rng.random() < 0.15:
                rlinks.append(rthrough(resident_id=r.pk, tag_id=tags["elderly_living_alone"]))
            if age < 14 and rng.random() < 0.2:
                rlinks.append(rthrough(resident_id=r.pk, tag_id=tags["left_behind_child"]))
            if rng.random() < 0.02:
                rlinks.append(rthrough(resident_id=r.pk, tag_id=tags["disabled"]))
        rthrough.objects.bulk_create(rlinks, batch_size=2000)

    def _party(self, residents, central, count) -> list[PartyMember]:
        """Adults organised in their hamlet group (level 4), a few probationary."""
        rng, today = self.rng, self.today
        adults = [r for r in residents if (today - r.birth_date).days > 22 * 365]
        group_of = {c.pk: c.parent for c in central}
        members = []
        for r in rng.sample(adults, min(count, len(adults))):
            earliest = r.birth_date + dt.timedelta(days=19 * 365)
            joined = earliest + dt.timedelta(
                days=rng.randint(0, max(1, (today - earliest).days - 30))
            )
            members.append(
                PartyMember(
                    resident=r,
                    organisation=group_of[r.node_id],
                    joined_on=joined,
                    is_synthetic=True,
                    category=(
                        PartyMember.Category.PROBATIONARY
                        if rng.random() < 0.04
                        else PartyMember.Category.FULL
                    ),
                )
            )
        PartyMember.objects.bulk_create(members, batch_size=2000)
        Household.objects.filter(pk__in={m.resident.household_id for m in members}).update(
            is_central_household=True
        )
        return members


def _demo_accounts(*, county_root, root, villages, groups, central, members):
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
    if county_root is not None:
        bind(user("demo_xianwei", "县委组织部"), Role.AUDITOR, county_root)
    bind(
        user("demo_shuji", f"{root.name}党委书记", is_staff=True),
        Role.CHIEF_GRID_LEADER,
        root,
        leader=True,
    )
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
    member = members[0]
    pm_user = user("demo_dangyuan", member.resident.name)
    Resident.objects.filter(pk=member.resident.pk).update(user=pm_user)
    bind(pm_user, Role.PARTY_MEMBER)
    villager = (
        Resident.objects.filter(node__path__under=v1.path, relation="head", user__isnull=True)
        .order_by("id")
        .first()
    )
    v_user = user("demo_cunmin", villager.name)
    Resident.objects.filter(pk=villager.pk).update(user=v_user)
    bind(v_user, Role.VILLAGER)
