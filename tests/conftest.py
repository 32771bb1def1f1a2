"""The shared world: a township with two sibling villages (甲村 and 乙村), each with a cadre, a
secretary, a grid worker for each of its two central households, a hamlet group leader, a
villager, a party member, a read-only auditor and a 民政 (civil affairs) officer bound to the
village, who sees the households and people carrying the tags 民政 serves (the first household is
a 低保户, the other household carries no tag); built through the services, so the audit chain is
real."""

from __future__ import annotations

import copy
import datetime as dt
import signal
import sys
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client as DjangoClient
from django.utils import timezone

from tests.contract_app.services import notice_post
from xiangzhi.accounts.models import Department, RoleAssignment, User
from xiangzhi.accounts.services import api_token_create, role_assign
from xiangzhi.core.models import ImportJob, Notification
from xiangzhi.core.roles import Role
from xiangzhi.grid.services import node_create
from xiangzhi.party.models import Visit, VisitPhoto
from xiangzhi.party.services import (
    contact_link_add,
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
    visit_record,
)
from xiangzhi.people.models import Resident, Tag
from xiangzhi.people.services import ResidentData, household_register, resident_add

from .factories import UserFactory, make_id
from .store_world import store_records


class Client(DjangoClient):
    """The test client; force_login names the model backend (axes' backend cannot load users)."""

    def force_login(self, user, backend="django.contrib.auth.backends.ModelBackend"):
        user.refresh_from_db(fields=["session_epoch"])  # "log out everywhere" may have bumped it
        super().force_login(user, backend)


@pytest.fixture
def client():
    return Client()


@pytest.fixture(autouse=True)
def _signal_handlers():
    # A test that runs django-tasks' db_worker in this process leaves its SIGTERM handler behind,
    # and CI's timeout would then end a later test with SystemExit instead of the run.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        if signal.getsignal(sig) is not handler:
            signal.signal(sig, handler)


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
    appeal: object = None  # the villager's own appeal, just submitted, with a photo
    rated_appeal: object = None  # the other household's appeal, replied and rated


@dataclass
class World:
    admin: User
    township: object
    chief: User
    a: Village
    b: Village


def _visit_photo(visit, title: str) -> None:
    """A photo of the visit under a name of its village (the scope walk's marker; the service
    names photos itself, so the file is put in place as a deployment's storage would hold it)."""
    VisitPhoto.objects.create(
        visit=visit,
        file=default_storage.save(
            f"visit_photos/{visit.household_id}/{title}.png",
            ContentFile(b"\x89PNG\r\n\x1a\n" + title.encode()),
        ),
    )


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
    # Contact work (party): the member contacts the marker household and has visited it once.
    contact_link_add(actor=admin, household=hh, member=pm, note=f"{name}联系备注")
    visit = visit_record(
        actor=member_user,
        household=hh,
        visited_on=timezone.localdate(),
        met=f"{surname}独一鸣本人",
        learned=f"{name}走访了解的情况",
        needs=[f"{name}修路诉求"],
        follow_up=f"{name}回访跟进",
    )
    _visit_photo(visit, f"{name}走访照片")
    contact_link_add(actor=admin, household=other, member=pm, note=f"{name}隔壁联系备注")
    next_door = visit_record(
        actor=member_user,
        household=other,
        visited_on=timezone.localdate(),
        met=f"{surname}隔壁本人",
        learned=f"{name}隔壁走访情况",
        needs=[f"{name}隔壁用水诉求"],
    )
    _visit_photo(next_door, f"{name}隔壁走访照片")
    # The throwaway app's record (tests/contract_app), so the scope walk has one to aim at.
    notice_post(actor=admin, node=grid, title=f"{name}便签")
    notice_post(actor=admin, node=sibling, title=f"{name}隔壁便签")
    appeal, rated_appeal = _appeals(name, hh, other, villager, member_user, worker, sibling_worker)
    _appeal_services(admin, name, sibling, other, member_user)
    ImportJob.objects.create(
        created_by=cadre,
        kind="residents",
        file_name=f"{marker_name}花名册.xlsx",
        stored_as="/nonexistent.xlsx",
        status="done",
        report={"created": 1, "updated": 0, "unchanged": 0, "errors": []},
    )
    _points(node, hh, other, cadre, worker, sibling_worker, villager, name)
    # An inbox message of the cadre's (core.Notification, seen by its recipient only).
    Notification.objects.create(
        recipient=cadre, title=f"{name}待办消息", body=f"{name}的积分申报待审核", link="/"
    )
    # The points store (tests/store_world.py): rewards, redemptions and period totals.
    store_records(admin, name=name, node=node, sibling=sibling, households=(hh, other))
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
        appeal=appeal,
        rated_appeal=rated_appeal,
    )


def _points(node, hh, other, cadre, worker, sibling_worker, villager, name) -> None:
    """The points app's records (tests/points): a village rule, a claim with a photo in each grid
    waiting for review (the other one objected to, hence back in review: none is on notice, so
    the walk's villager finds nothing to object to), and an entry in each household's ledger."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xiangzhi.points import services as points
    from xiangzhi.points.services import claims, rules

    rule = rules.rule_create(actor=cadre, node=node, title=f"{name}门前三包", points=5)
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + bytes(32))
    on = dt.date.today()
    claims.claim_record(
        actor=worker, household=hh, rule=rule, occurred_on=on, note=f"{name}打扫", photos=[photo]
    )
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + bytes(32))
    claim = claims.claim_record(
        actor=sibling_worker,
        household=other,
        rule=rule,
        occurred_on=on,
        note=f"{name}清沟",
        photos=[photo],
    )
    claims.claim_approve(actor=cadre, claim=claim)
    claims.objection_raise(actor=villager, claim=claim, reason=f"{name}没有清沟")
    for household, reason in ((hh, f"{name}往年积分"), (other, f"{name}隔壁往年积分")):
        account = points.account_for(household=household)
        points.entry_post(actor=cadre, account=account, amount=3, reason=reason, source="import")


def _appeal_services(admin, name, sibling, other, member_user):
    """The service menu's, disputes' and petitions' records (appeals2), each naming the village,
    in the sibling grid (under every target of the scope walk): an offering and the other
    household's request of it, a dispute with two parties and a mediation session, a petition."""
    import datetime as dt

    from xiangzhi.appeals.services import disputes, menu, petitions

    offering = menu.service_offering_publish(
        actor=admin, node=sibling, name=f"{name}代办医保", category="errand", days=3
    )
    menu.service_request_submit(actor=member_user, offering=offering, text=f"{name}请帮忙代办")
    dispute = disputes.dispute_register(
        actor=admin,
        node=sibling,
        title=f"{name}水沟纠纷",
        category="neighbour",
        description=f"{name}两户为水沟争执",
        parties=[(other.head.name, other.head, f"{name}沟不能改"), (f"{name}外来户", None, "")],
    )
    disputes.dispute_session_record(
        actor=admin,
        dispute=dispute,
        held_on=dispute.registered_on,
        mediators=f"{name}调解委员会",
        notes=f"{name}双方到场陈述",
    )
    petitions.petition_register(
        actor=admin,
        node=sibling,
        petitioner=other.head.name,
        resident=other.head,
        channel="visit",
        subject=f"{name}征地补偿",
        content=f"{name}修路征地补偿未发",
        department=Department.objects.get_or_create(code="petitions", defaults={"name": "信访"})[0],
        received_on=dt.date.today() - dt.timedelta(days=2),
    )


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _appeals(name, hh, other, villager, member_user, worker, sibling_worker):
    """The appeals app's records (each entity): a villager's appeal just raised on the phone page,
    and one of the other household, recorded by its grid worker, replied and rated."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xiangzhi.appeals import services as appeals

    def photo():
        return [SimpleUploadedFile(f"{name}.png", PNG, content_type="image/png")]

    appeal = appeals.appeal_submit(actor=villager, text=f"{name}枫树屋场路灯不亮了", photos=photo())
    rated = appeals.appeal_submit(
        actor=sibling_worker,
        household=other,
        text=f"{name}隔壁水渠堵了",
        kind="report",
        source="group_chat",
        photos=photo(),
    )
    appeals.appeal_accept(actor=sibling_worker, appeal=rated)
    appeals.appeal_assign(actor=sibling_worker, appeal=rated, assignee=sibling_worker)
    appeals.appeal_start(actor=sibling_worker, appeal=rated)
    appeals.appeal_reply(actor=sibling_worker, appeal=rated, note=f"{name}水渠已疏通")
    appeals.appeal_rate(actor=member_user, appeal=rated, score=5, comment=f"{name}办得好")
    return appeal, rated


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
        attachments=[SimpleUploadedFile(f"{name}会议签到表.pdf", b"%PDF-1.4 sign-in sheet")],
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


def _build_world() -> World:
    _served_tags()
    admin = UserFactory(username="root_admin", is_superuser=True, is_staff=True)
    township = node_create(actor=admin, parent=None, name="测试镇", code="430521100000")
    chief = UserFactory(username="chief")
    role_assign(actor=admin, user=chief, role=Role.CHIEF_GRID_LEADER, node=township)
    a = _village(admin, township, "a", "甲村", "甲", "430521100201")
    b = _village(admin, township, "b", "乙村", "乙", "430521100202")
    return World(admin=admin, township=township, chief=chief, a=a, b=b)


# Shared states. Building the world through the services takes about a second, and some six
# hundred tests ask for it; a tiny demo town (a year of every app's activity) takes a minute, and a
# dozen tests read one. A database test (not a transactional one) that asks for `world` or
# `tiny_demo` gets the state built once in an outer transaction that stays open while such tests
# run: each test's own transaction is a savepoint inside it, so what a test writes is rolled back
# to the state as built (Django's setUpTestData does the same per class). The tests of one state
# run together (pytest_collection_modifyitems below), and the outer transaction is rolled back
# before the first test that does not ask for it. A transactional test (threads, the browser's
# live server) builds its own, as before, since it commits and empties the tables.


def _transactional(item: pytest.Item) -> bool:
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker is not None and any(validate_django_db(marker)[:2]):  # transaction, reset_sequences
        return True
    names = getattr(item, "fixturenames", ())
    return any(n in names for n in ("transactional_db", "live_server", "django_db_reset_sequences"))


def _tiny_scale():
    from tests.demo.test_demo_loaders import TINY

    return TINY


def _build_tiny_demo() -> str:
    from io import StringIO

    from django.core.management import call_command

    from xiangzhi.core import demo as core_demo

    out = StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(core_demo.SCALES, "town", _tiny_scale())
        call_command("seed_demo", "--seed", "3", "--brief", stdout=out)
    return out.getvalue()


SHARED_STATES = {"world": _build_world, "tiny_demo": _build_tiny_demo}


def _shared_state(item: pytest.Item) -> str | None:
    """The shared state the test reads, if it reads exactly one and is not transactional."""
    wanted = [n for n in SHARED_STATES if n in getattr(item, "fixturenames", ())]
    return wanted[0] if len(wanted) == 1 and not _transactional(item) else None


class _Shared:
    def __init__(self) -> None:
        self.atomic = None
        self.name: str | None = None
        self.value = None

    def open(self, name: str, blocker) -> None:
        if self.atomic is not None and self.name == name:
            return
        self.close(blocker)
        with blocker.unblock():
            atomic = transaction.atomic()
            atomic._from_testcase = True  # a durable block inside a test is allowed, as in TestCase
            atomic.__enter__()
            try:
                self.value = SHARED_STATES[name]()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(*sys.exc_info())
                raise
            self.atomic, self.name = atomic, name

    def close(self, blocker) -> None:
        if self.atomic is None:
            return
        atomic, self.atomic, self.name, self.value = self.atomic, None, None, None
        with blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

    def get(self, request):
        """A copy of the shared state for this test, or None: the test builds its own."""
        name = request.fixturename
        if self.name == name and _shared_state(request.node) == name:
            return copy.deepcopy(self.value)
        return None


_SHARED = _Shared()


@pytest.fixture(scope="session")
def _shared_session(django_db_setup, django_db_blocker):
    yield _SHARED
    _SHARED.close(django_db_blocker)


@pytest.fixture
def _shared_prep(request, _shared_session, django_db_blocker) -> None:
    name = _shared_state(request.node)
    if name is not None:
        _SHARED.open(name, django_db_blocker)
    else:
        _SHARED.close(django_db_blocker)


@pytest.fixture
def _django_db_helper(_shared_prep, _django_db_helper):  # noqa: PT019
    # pytest-django's fixture, after the shared state's outer transaction is opened or closed, so
    # that the test's own transaction nests inside it or stands alone.
    return _django_db_helper


@pytest.fixture
def world(request, db) -> World:
    shared = _SHARED.get(request)
    return shared if shared is not None else _build_world()


@pytest.fixture
def tiny_demo(request, db, monkeypatch) -> str:
    """A tiny demo town (tests/demo/test_demo_loaders.py TINY, seed 3), and seed_demo's --brief
    output; the town scale stays TINY for the test."""
    from xiangzhi.core import demo as core_demo

    monkeypatch.setitem(core_demo.SCALES, "town", _tiny_scale())
    shared = _SHARED.get(request)
    return shared if shared is not None else _build_tiny_demo()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # After pytest-django's order (database tests, then transactional ones, then the rest): the
    # database tests that share a state run after the other database tests, grouped by state, in
    # their order.
    states = list(SHARED_STATES)

    def group(item: pytest.Item) -> int:
        names = getattr(item, "fixturenames", ())
        if _transactional(item):
            return 100
        if "db" in names or "_django_db_helper" in names or item.get_closest_marker("django_db"):
            name = _shared_state(item)
            return 0 if name is None else 1 + states.index(name)
        return 101

    items.sort(key=group)


@pytest.fixture
def visited_earlier(world):
    """The world's visits of today moved a month back: a test that records today's visit to a
    household the member already visited today would be refused (one visit a household a day)."""
    from django.db.models import Max, OuterRef, Subquery

    from xiangzhi.core import figures
    from xiangzhi.party.models import ContactLink

    today = timezone.localdate()
    Visit.objects.filter(visited_on=today).update(visited_on=today - dt.timedelta(days=30))
    # The links' copy of the last visit and the maintained figures follow the records, as if
    # the visits had been made then.
    last = (
        Visit.objects.filter(household=OuterRef("household"))
        .order_by()
        .values("household")
        .annotate(last=Max("visited_on"))
        .values("last")
    )
    ContactLink.objects.filter(last_visit_on=today).update(last_visit_on=Subquery(last))
    figures.verify(fix=True)
