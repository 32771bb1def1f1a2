"""Random sequences of service calls (register, birth, death, move out, move between villages,
split, head change, party member, import, subtree move) leave every maintained figure equal to
the recount from the records: verify() finds 0 differences after each call."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_id
from tests.xlsx_helpers import make_sheet
from xiangzhi.core import figures
from xiangzhi.grid.models import GridNode
from xiangzhi.grid.services import node_create, node_move
from xiangzhi.party.models import PartyMember
from xiangzhi.party.services import party_member_register
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import (
    ResidentData,
    household_change_head,
    household_register,
    household_split,
    resident_add,
    resident_move_out,
    resident_record_death,
)
from xiangzhi.people.services.imports import registry_import

OTHER = Resident.Relation.OTHER


class Rollback(Exception):
    pass


def pick(items, r):
    return items[r % len(items)] if items else None


def fresh(node) -> GridNode:
    return GridNode.objects.get(pk=node.pk)  # paths change when a subtree moves


def person(r: int, name: str = "随机") -> ResidentData:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=(r * 97) % 20000)
    return ResidentData(name=name, id_number=make_id(born, "M" if r % 2 else "F"), relation=OTHER)


class Calls:
    def __init__(self, world, third_village, second_township):
        self.w = world
        self.admin = world.admin
        self.villages = [world.a.node, world.b.node, third_village]
        self.second = second_township
        self.places = [
            world.a.grid,
            world.a.sibling_grid,
            world.b.grid,
            world.b.node,
            world.township,
            third_village,
        ]

    def households(self):
        return list(Household.objects.filter(status="active").order_by("pk"))

    def residents(self):
        return list(Resident.objects.filter(status="active").order_by("pk"))

    def register(self, r):
        node = fresh(pick(self.places, r))
        household_register(
            actor=self.admin, node=node, address=f"随机{r}号", head=person(r, "户主")
        )

    def birth(self, r):
        hh = pick(self.households(), r)
        if hh:
            day = dt.date(2024, 1, 1) + dt.timedelta(days=r % 300)
            data = ResidentData(name="新生", id_number=make_id(day, "F"), relation="child")
            resident_add(actor=self.admin, household=hh, kind="birth", occurred_on=day, data=data)

    def _leave(self, r, service):
        resident = pick(self.residents(), r)
        if resident is None:
            return
        others = list(
            Resident.objects.filter(household_id=resident.household_id, status="active").exclude(
                pk=resident.pk
            )
        )
        service(actor=self.admin, resident=resident, new_head=pick(others, r))

    def death(self, r):
        self._leave(r, resident_record_death)

    def move_out(self, r):
        self._leave(r, resident_move_out)

    def move_between_villages(self, r):
        resident = pick(self.residents(), r)
        target = pick(
            [h for h in self.households() if h.node.path[:10] != resident.node.path[:10]], r
        )
        if resident is None or target is None or resident.household.head_id == resident.pk:
            return
        resident_move_out(actor=self.admin, resident=resident)
        resident_add(actor=self.admin, household=target, kind="move_in", data=person(r, "迁入"))

    def split(self, r):
        hh = pick(
            [h for h in self.households() if h.members.filter(status="active").count() > 1], r
        )
        if hh is None:
            return
        members = list(hh.members.filter(status="active").exclude(pk=hh.head_id))
        leaving = members[: 1 + r % len(members)]
        if len(leaving) == len(members) + 1:
            return
        household_split(
            actor=self.admin,
            household=hh,
            members=leaving,
            new_head=leaving[0],
            address=f"分户{r}号",
            node=fresh(pick(self.places, r // 7)),
        )

    def head_change(self, r):
        hh = pick(
            [h for h in self.households() if h.members.filter(status="active").count() > 1], r
        )
        if hh is None:
            return
        members = list(hh.members.filter(status="active").exclude(pk=hh.head_id))
        new_head = pick(members, r)
        relations = {m.pk: OTHER for m in hh.members.filter(status="active") if m != new_head}
        household_change_head(
            actor=self.admin, household=hh, new_head=new_head, relations=relations
        )

    def party_member(self, r):
        members = set(PartyMember.objects.values_list("resident_id", flat=True))
        resident = pick([x for x in self.residents() if x.pk not in members], r)
        if resident is None or resident.birth_date is None:
            return
        party_member_register(
            actor=self.admin,
            resident=resident,
            category="full",
            joined_on=min(resident.birth_date + dt.timedelta(days=20 * 366), dt.date.today()),
            organisation=self._township_of(resident),
        )

    def _township_of(self, resident):
        return GridNode.objects.get(path=resident.node.ancestor_path_at(1))

    def import_sheet(self, r):
        node = fresh(pick([self.w.a.grid, self.w.b.grid, self.w.a.sibling_grid], r))
        names = list(
            GridNode.objects.filter(
                path__in=[node.path[:i] for i in range(5, len(node.path) + 1, 5)], level__gte=2
            )
            .order_by("path")
            .values_list("name", flat=True)
        )
        born = dt.date(1960, 1, 1) + dt.timedelta(days=r % 5000)
        rows = [
            ["姓名", "性别", "出生日期", "身份证号码", "与户主关系", "家庭住址", "所属网格"],
            ["导入户主", "男", born, make_id(born, "M"), "户主", f"导入{r}号", "/".join(names)],
            ["导入配偶", "女", born, make_id(born, "F"), "配偶", f"导入{r}号", "/".join(names)],
        ]
        with tempfile.TemporaryDirectory() as tmp:
            path = make_sheet(Path(tmp) / "r.xlsx", rows)
            report = registry_import(actor=self.admin, kind="residents", path=path)
        assert report.created == 2, report.errors

    def subtree_move(self, r):
        if r % 3 == 0:  # a village to the other township
            village = fresh(pick(self.villages, r))
            townships = [self.w.township, self.second]
            target = next(t for t in townships if t.pk != village.parent_id)
            node_move(actor=self.admin, node=village, new_parent=fresh(target))
        else:  # a branch (its groups and central households) to another village
            branch = pick(list(GridNode.objects.filter(level=3).order_by("pk")), r)
            target = pick([v for v in self.villages if v.pk != branch.parent_id], r)
            node_move(actor=self.admin, node=branch, new_parent=fresh(target))


CALLS = [
    "register",
    "birth",
    "death",
    "move_out",
    "move_between_villages",
    "split",
    "head_change",
    "party_member",
    "import_sheet",
    "subtree_move",
]


@pytest.fixture
def calls(world):
    second = node_create(actor=world.admin, parent=None, name="第二镇", code="430521101000")
    third = node_create(actor=world.admin, parent=second, name="丙村", code="430521101201")
    node_create(actor=world.admin, parent=third, name="丙村第一党支部")
    return Calls(world, third, second)


def test_random_service_calls_keep_every_figure_exact(calls):
    tally = {"done": 0, "refused": 0}

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(st.tuples(st.sampled_from(CALLS), st.integers(0, 10_000)), max_size=8))
    def run(steps):
        assert figures.verify() == []
        try:
            with transaction.atomic():
                for name, r in steps:
                    try:
                        with transaction.atomic():
                            getattr(calls, name)(r)
                        tally["done"] += 1
                    except ValidationError:
                        tally["refused"] += 1  # a refused write changes nothing, figures included
                    assert figures.verify() == [], (name, r)
                raise Rollback
        except Rollback:
            pass

    run()
    # The sequences must mostly be writes that happened: refusals alone would prove nothing.
    assert tally["done"] > tally["refused"], tally
