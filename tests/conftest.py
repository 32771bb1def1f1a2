"""The shared world: a township with two sibling villages (甲村 and 乙村), each with a cadre, a
secretary, a grid worker for each of its two central households, a hamlet group leader, a
villager, a party member, a read-only auditor and a 民政 (civil affairs) officer bound to the
village, who sees the households and people carrying the tags 民政 serves (the first household is
a 低保户, the other household carries no tag); built through the services, so the audit chain is
real."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as DjangoClient

from tests.contract_app.services import notice_post
from xiangzhi.accounts.models import Department, RoleAssignment, User
from xiangzhi.accounts.services import api_token_create, role_assign
from xiangzhi.core.models import ImportJob
from xiangzhi.core.roles import Role
from xiangzhi.grid.services import node_create
from xiangzhi.party.services import (
    hamlet_talk_record,
    meeting_plan,
    meeting_record,
    opinion_add,
    party_member_register,
    party_member_transfer_in,
    party_member_transfer_out,
    post_assign,
    post_create,
    post_entry_record,
)
from xiangzhi.people.models import Resident, Tag
from xiangzhi.people.services import ResidentData, household_register, resident_add

from .factories import UserFactory, make_id


class Client(DjangoClient):
    """The test client; force_login names the model backend (axes' backend cannot load users)."""

    def force_login(self, user, backend="django.contrib.auth.backends.ModelBackend"):
        user.refresh_from_db(fields=["session_epoch"])  # "log out everywhere" may have bumped it
        super().force_login(user, backend)


@pytest.fixture
def client():
    return Client()


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 is the production hasher (tested on its own); tests hash many passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Village:
    key: str
    node: object
    branch: object
    group: object
    grid: object  # the grid worker's central household
    sibling_grid: object  # a sibling central household the worker does not cover
    household: object
    head: object
    child: object
    other_household: object  # in sibling_grid
    other_head: object
    party_member: object
    cadre: User
    secretary: User
    worker: User
    sibling_worker: User  # the grid worker of sibling_grid
    group_leader: User  # 屋场党小组长 of group: reads its subtree, writes nothing
    villager: User
    member_user: User
    auditor: User
    department_user: User  # 民政 staff bound to the village: sees the tagged household only
    marker_name: str
    marker_address: str
    token: str
    event_id: int


@dataclass
class World:
    admin: User
    township: object
    chief: User
    a: Village
    b: Village


def _village(admin, township, key: str, name: str, surname: str, code: str) -> Village:
    node = node_create(actor=admin, parent=township, name=name, code=code)
    branch = node_create(actor=admin, parent=node, name=f"{name}第一党支部")
    group = node_create(actor=admin, parent=branch, name=f"{name}枫树屋场党小组")
    grid = node_create(actor=admin, parent=group, name=f"{surname}家中心户")
    sibling = node_create(actor=admin, parent=group, name=f"{surname}家二中心户")
    marker_name = f"{surname}独一鸣"
    marker_address = f"{name}专属巷{len(key)}号"
    hh = household_register(
        actor=admin,
        node=grid,
        address=marker_address,
        number=f"{key}-001",
        tags=["subsistence_allowance"],
        head=ResidentData(
            name=marker_name,
            id_number=make_id(dt.date(1970, 3, 4), "M"),
            phone={"a": "13800001111"}.get(key, "13800002222"),
        ),
    )
    child = resident_add(
        actor=admin,
        household=hh,
        kind="birth",
        occurred_on=dt.date(2015, 6, 1),
        data=ResidentData(
            name=f"{surname}小朵",
            id_number=make_id(dt.date(2015, 6, 1), "F"),
            relation=Resident.Relation.CHILD,
        ),
    )
    other = household_register(
        actor=admin,
        node=sibling,
        address=f"{name}隔壁巷{len(key)}号",
        number=f"{key}-002",
        head=ResidentData(name=f"{surname}隔壁", id_number=make_id(dt.date(1965, 1, 2), "F")),
    )
    pm = party_member_register(
        actor=admin,
        resident=other.head,
        category="full",
        joined_on=dt.date(1995, 7, 1),
        organisation=group,
    )
    _orglife(admin, name, surname, node, branch, group, pm)

    # Every string of a village's records names the village (甲村…, 乙村…, or the surname 甲/乙),
    # and none is part of a string of the other village: the scope walk takes its leak markers
    # from them (tests/core/test_scope_routes.py, Target.markers).
    def user(role, bind_node, suffix, title, department=None, **extra):
        u = UserFactory(username=f"{key}_{suffix}", display_name=f"{name}{title}", **extra)
        role_assign(actor=admin, user=u, role=role, node=bind_node, department=department)
        return u

    cadre = user(Role.VILLAGE_CADRE, node, "cadre", "村干部", is_staff=True)
    secretary = user(Role.VILLAGE_SECRETARY, node, "secretary", "书记")
    worker = user(Role.GRID_WORKER, grid, "worker", "一号网格员")
    sibling_worker = user(Role.GRID_WORKER, sibling, "sibling_worker", "二号网格员")
    group_leader = user(Role.GROUP_LEADER, group, "group_leader", "党小组长")
    auditor = user(Role.AUDITOR, node, "auditor", "审计员", is_staff=True)
    civil_affairs = Department.objects.get(code="civil_affairs")  # made by _served_tags
    department_user = user(Role.DEPARTMENT_STAFF, node, "minzheng", "民政专干", civil_affairs)
    villager = UserFactory(username=f"{key}_villager", display_name=f"{name}村民")
    RoleAssignment.objects.create(user=villager, role=Role.VILLAGER)
    Resident.objects.filter(pk=hh.head_id).update(user=villager)
    member_user = UserFactory(username=f"{key}_member", display_name=f"{name}党员")
    RoleAssignment.objects.create(user=member_user, role=Role.PARTY_MEMBER)
    Resident.objects.filter(pk=other.head_id).update(user=member_user)
    _, token = api_token_create(actor=cadre, name=f"{name}令牌")
    # The throwaway app's record (tests/contract_app), so the scope walk has one to aim at.
    notice_post(actor=admin, node=grid, title=f"{name}便签")
    notice_post(actor=admin, node=sibling, title=f"{name}隔壁便签")
    ImportJob.objects.create(
        created_by=cadre,
        kind="residents",
        file_name=f"{marker_name}花名册.xlsx",
        stored_as="/nonexistent.xlsx",
        status="done",
        report={"created": 1, "updated": 0, "unchanged": 0, "errors": []},
    )
    from xiangzhi.core.models import AuditEvent

    event = AuditEvent.objects.filter(node=node).order_by("-seq").first()
    hh.refresh_from_db()
    other.refresh_from_db()
    return Village(
        key=key,
        node=node,
        branch=branch,
        group=group,
        grid=grid,
        sibling_grid=sibling,
        household=hh,
        head=hh.head,
        child=child,
        other_household=other,
        other_head=other.head,
        party_member=pm,
        cadre=cadre,
        secretary=secretary,
        worker=worker,
        sibling_worker=sibling_worker,
        group_leader=group_leader,
        villager=villager,
        member_user=member_user,
        auditor=auditor,
        department_user=department_user,
        marker_name=marker_name,
        marker_address=marker_address,
        token=token,
        event_id=event.pk,
    )


def _orglife(admin, name: str, surname: str, node, branch, group, pm) -> None:
    """The member's organisational life, one record of each kind (issue 13 points 4-7): a
    transfer out and back in, a post with an entry, a held meeting, a hamlet talk they came to
    with an opinion; every text names the village."""
    party_member_transfer_out(
        actor=admin,
        member=pm,
        transferred_on=dt.date(2023, 5, 1),
        to_organisation=f"{name}外调党委",
    )
    party_member_transfer_in(
        actor=admin,
        resident=pm.resident,
        transferred_on=dt.date(2023, 9, 1),
        from_organisation=f"{name}外调党委",
        category="full",
        joined_on=dt.date(1995, 7, 1),
        organisation=group,
    )
    pm.refresh_from_db()
    post = post_create(actor=admin, node=group, name=f"{name}政策宣传岗", duty=f"{name}宣讲政策")
    held = post_assign(
        actor=admin,
        post=post,
        member=pm,
        started_on=dt.date(2024, 1, 1),
        pledge=f"{name}每月宣讲一次",
    )
    post_entry_record(
        actor=admin, assignment=held, done_on=dt.date(2024, 2, 1), content=f"{name}宣讲医保政策"
    )
    meeting = meeting_plan(
        actor=admin, organisation=group, kind="group_meeting", planned_on=dt.date(2024, 3, 15)
    )
    meeting_record(
        actor=admin,
        meeting=meeting,
        held_on=dt.date(2024, 3, 15),
        topic=f"{name}党小组会",
        host=f"{name}党小组长",
        attendance={pm.pk: ("present", "")},
        attachment=SimpleUploadedFile(f"{name}会议签到表.pdf", b"%PDF-1.4 sign-in sheet"),
    )
    talk = hamlet_talk_record(
        actor=admin,
        node=group,
        held_on=dt.date(2024, 4, 1),
        topics=f"{name}修路议题",
        other_attendees=f"{pm.resident.name}，{name}来客",
    )
    opinion_add(actor=admin, talk=talk, content=f"{name}路灯不亮", raised_by=f"{name}来客")


def _served_tags() -> None:
    """民政 and the 低保户 tag it serves, as the migrations make them: a transactional test
    (the browser's) empties the tables, the migrations' rows with them."""
    civil_affairs, _ = Department.objects.get_or_create(
        code="civil_affairs", defaults={"name": "民政"}
    )
    tag, _ = Tag.objects.get_or_create(code="subsistence_allowance", defaults={"name": "低保户"})
    tag.departments.add(civil_affairs)


@pytest.fixture
def world(db) -> World:
    _served_tags()
    admin = UserFactory(username="root_admin", is_superuser=True, is_staff=True)
    township = node_create(actor=admin, parent=None, name="测试镇", code="430521100000")
    chief = UserFactory(username="chief")
    role_assign(actor=admin, user=chief, role=Role.CHIEF_GRID_LEADER, node=township)
    a = _village(admin, township, "a", "甲村", "甲", "430521100201")
    b = _village(admin, township, "b", "乙村", "乙", "430521100202")
    return World(admin=admin, township=township, chief=chief, a=a, b=b)
