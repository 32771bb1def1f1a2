"""The workbench (工作台): the landing page after login shows each role its own panels."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xiangzhi.core.models import AuditEvent, ImportJob
from xiangzhi.core.registry import FIGURES, PANELS
from xiangzhi.core.workdays import years_needing_holidays
from xiangzhi.people.actions import PeopleAction
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import (
    ResidentData,
    household_change_head,
    household_register,
    resident_add,
)
from xiangzhi.people.workbench import GROUPS, years_before

from ..factories import UserFactory, make_id

pytestmark = pytest.mark.django_db


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _text(body: str) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    main = body[body.index("<main") :]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _panels(body: str) -> set[str]:
    return set(re.findall(r'aria-labelledby="panel-([a-z]+)', body))


def test_every_role_lands_on_its_own_workbench(client, world):
    a = world.a
    expected = {
        # party: the branches overdue with their meetings (cadres), a member's own posts and
        # the households they contact (tests/conftest.py: 我的联系户)
        "chief": (
            world.chief,
            {"todo", "changes", "groups", "chart", "points", "coverage", "overdue"},
        ),
        "cadre": (a.cadre, {"todo", "changes", "groups", "chart", "points", "coverage", "overdue"}),
        "secretary": (
            a.secretary,
            {"todo", "changes", "groups", "chart", "points", "coverage", "overdue"},
        ),
        "auditor": (a.auditor, {"groups", "chart", "coverage"}),
        "grid worker": (a.worker, {"field", "changes", "coverage"}),
        "group leader": (a.group_leader, {"field", "changes", "coverage"}),
        "villager": (a.villager, {"home", "points"}),
        "party member": (a.member_user, {"home", "points", "mine", "myposts"}),
        "民政": (a.department_user, {"department"}),
    }
    # The appeals' panels: a villager's own, a handler's to-dos, a department's, the township's.
    for who in ("chief", "cadre", "secretary", "grid worker", "villager", "party member", "民政"):
        expected[who][1].add("appeals")
    if years_needing_holidays(timezone.localdate()):  # the township is asked for a year's holidays
        expected["chief"][1].add("workdays")
    for who, (user, panels) in expected.items():
        body = _page(client, user)
        assert "您还没有被分配到任何网格" not in body, who
        assert _panels(body) == panels, who
    assert client.post("/").status_code == 405


def test_a_user_without_a_role_is_told_what_to_do(client, db):
    body = _page(client, UserFactory(username="nobody"))
    assert "还没有分配角色" in body


def _nav(body: str) -> str:
    return body[body.index("<nav") : body.index("</nav>")]


def test_the_workbench_is_first_in_the_navigation(client, world):
    nav = _nav(_page(client, world.a.cadre))
    assert nav.index("工作台") < nav.index("网格")
    assert 'aria-current="page">工作台' in nav.replace("\n", "")
    # no 网格 entry for those bound to no grid node: it would lead to an empty page
    for user in (world.a.villager, world.a.member_user, world.a.department_user):
        nav = _nav(_page(client, user))
        assert "工作台" in nav and ">网格<" not in nav


# --- cadres ---------------------------------------------------------------------------------


def test_cadres_see_the_groups_they_follow_with_links_to_the_lists(client, world):
    a, today = world.a, timezone.localdate()
    old = years_before(today, 85)
    resident_add(
        actor=world.admin,
        household=a.other_household,
        kind="move_in",
        data=ResidentData(
            name="甲老寿星", gender="F", birth_date=old, id_number=make_id(old, "F"),
            tags=["elderly_living_alone"],
        ),
    )  # fmt: skip
    body = _page(client, a.cadre)
    text = _text(body)
    # 60+: the 1970 head is 56, 甲隔壁 (1965) is 61, and the newcomer 85
    for label, n in [("60岁以上", 2), ("80岁以上", 1), ("独居老人", 1), ("低保户", 1)]:
        assert f"{n} {label}" in text, label
    node = a.node.pk
    assert f'href="/people/residents/?age=80&amp;node={node}"' in body
    assert f'href="/people/residents/?tag=elderly_living_alone&amp;node={node}"' in body
    assert f'href="/people/households/?tag=subsistence_allowance&amp;node={node}"' in body
    # the other village counts its own: nobody of 80 there
    assert "0 80岁以上" in _text(_page(client, world.b.cadre))


def test_the_groups_are_figures_of_the_grid(world):
    keys = {f.key for f in FIGURES}
    assert {g.key for g in GROUPS} <= keys
    by_key = {f.key: f for f in FIGURES}
    assert by_key["age_80_plus"].queryset().count() == 0
    assert by_key["subsistence"].queryset().count() == 2  # one 低保户 in each village


def test_cadres_see_their_to_dos_and_not_another_villages(client, world, tmp_path):
    a, b = world.a, world.b
    # a head change whose relations the suggestion could not tell
    household_change_head(
        actor=a.cadre,
        household=a.household,
        new_head=a.child,
        relations={a.head.pk: Resident.Relation.PARENT},
    )
    Resident.objects.filter(pk=a.head.pk).update(relation=Resident.Relation.OTHER)
    # a household whose head died outside the registry (an old import), and a person without ID
    Resident.objects.filter(pk=a.other_head.pk).update(status=Resident.Status.DECEASED)
    nameless = household_register(
        actor=b.cadre,
        node=b.grid,
        address="乙村无证巷",
        head=ResidentData(name="乙无证", gender="M", birth_date=dt.date(1950, 1, 1)),
    )
    body = _page(client, a.cadre)
    text = _text(body)
    assert "户主变更待核对 1" in text
    assert reverse("people:household_head", args=[a.household.pk]) in body
    assert "缺少户主的户 1" in text
    assert reverse("people:household_detail", args=[a.other_household.pk]) in body
    assert "缺少身份证号的居民" not in text and "乙无证" not in text
    b_body = _page(client, b.cadre)
    assert "缺少身份证号的居民 1" in _text(b_body)
    assert reverse("people:resident_detail", args=[nameless.head_id]) in b_body
    assert "户主变更待核对" not in _text(b_body)
    # an auditor, who may correct nothing, has no to-dos
    assert "待办事项" not in _page(client, a.auditor)


def test_a_checked_sheet_waiting_for_confirmation_is_a_to_do_of_its_uploader(
    client, world, tmp_path
):
    stored = tmp_path / "checked.xlsx"
    stored.write_bytes(b"PK")
    job = ImportJob.objects.create(
        created_by=world.a.cadre,
        kind="residents",
        file_name="甲村三组花名册.xlsx",
        stored_as=str(stored),
        dry_run=True,
        status=ImportJob.Status.DONE,
        finished_at=timezone.now(),
        report={"created": 12, "updated": 3, "unchanged": 0, "errors": []},
    )
    body = _page(client, world.a.cadre)
    assert "待确认导入" in body and "甲村三组花名册.xlsx" in body
    assert reverse("sheets:import_job_detail", args=[job.pk]) in body
    assert "将新增 12 条、更新 3 条" in _text(body)
    assert "甲村三组花名册" not in _page(client, world.a.secretary)
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=2))
    assert "待确认导入" not in _page(client, world.a.cadre)


def test_this_months_changes_are_counted_and_last_months_are_not(client, world):
    a, today = world.a, timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=3)
    for name, day in [("甲本月娃", today), ("甲上月娃", last_month)]:
        resident_add(
            actor=a.cadre,
            household=a.household,
            kind="birth",
            occurred_on=day,
            data=ResidentData(name=name, gender="M", birth_date=day, id_number=make_id(day)),
        )
    text = _text(_page(client, a.cadre))
    assert "1 出生" in text and "甲本月娃" in text and "甲上月娃" not in text
    assert f"since={today.replace(day=1).isoformat()}" in _page(client, a.cadre)


def test_the_chart_is_drawn_from_local_files_only(client, world):
    from xiangzhi.grid.workbench import echarts_url

    if not echarts_url():
        pytest.skip("ECharts 未安装（set-up 没有 npm）：图表以表格显示，见下一个测试")
    body = _page(client, world.chief)
    data = re.search(r'<script id="(chart-data-\d+)" type="application/json">', body)
    assert data and f'data-chart="{data.group(1)}"' in body
    sources = re.findall(r'<script src="([^"]+)"', body)
    assert sources and all(s.startswith("/static/") for s in sources)
    assert "/static/vendor/echarts/echarts.min.js" in sources
    # every figure is in the table under the chart, village by village
    table = body[body.index('class="chart-table"') :]
    for f in FIGURES:
        assert f.label in table


def test_without_echarts_the_figures_are_an_open_table_and_no_script_is_asked_for(
    client, world, monkeypatch
):
    """A machine where set-up had no npm: no script tag for a missing file, the table open."""
    from xiangzhi.grid import workbench

    monkeypatch.setattr(workbench.finders, "find", lambda path: None)
    workbench.echarts_url.cache_clear()
    try:
        body = _page(client, world.chief)
    finally:
        workbench.echarts_url.cache_clear()
    assert "echarts" not in body.lower()
    assert '<details class="chart-table" open>' in body
    table = body[body.index('class="chart-table"') :]
    assert all(f.label in table for f in FIGURES)


# --- grid workers and group leaders ---------------------------------------------------------


def test_a_grid_worker_sees_their_households_with_a_call_button(client, world):
    a = world.a
    body = _page(client, a.worker)
    assert a.marker_address in body and a.other_household.address not in body
    call = reverse("people:resident_call", args=[a.head.pk])
    assert f'action="{call}"' in body
    assert "13800001111" not in body  # the page shows the mask; the call reveals it
    assert "138****1111" in body


def test_a_group_leader_sees_the_group_but_may_not_call(client, world):
    a = world.a
    body = _page(client, a.group_leader)
    assert a.marker_address in body and a.other_household.address in body
    assert "/call/" not in body


def test_the_call_reveals_the_number_into_the_audit_trail_and_dials_it(client, world):
    a = world.a
    url = reverse("people:resident_call", args=[a.head.pk])
    client.force_login(a.worker)
    assert client.get(url).status_code == 405
    before = AuditEvent.objects.filter(action=str(PeopleAction.RESIDENT_REVEAL)).count()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == "tel:13800001111"
    event = AuditEvent.objects.filter(action=str(PeopleAction.RESIDENT_REVEAL)).latest("seq")
    assert event.actor_id == a.worker.pk and event.changes["field"] == "phone"
    assert AuditEvent.objects.filter(action=str(PeopleAction.RESIDENT_REVEAL)).count() == before + 1
    # the sibling grid's people are not theirs; a group leader may not reveal at all
    other = reverse("people:resident_call", args=[a.other_head.pk])
    assert client.post(other).status_code == 404
    client.force_login(a.group_leader)
    assert client.post(url).status_code == 403
    assert AuditEvent.objects.filter(action=str(PeopleAction.RESIDENT_REVEAL)).count() == before + 1


def test_a_call_to_someone_without_a_phone_says_so(client, world):
    a = world.a
    client.force_login(a.worker)
    response = client.post(reverse("people:resident_call", args=[a.child.pk]), follow=True)
    assert "没有登记联系电话" in response.content.decode()


# --- villagers and party members ------------------------------------------------------------


def test_a_villager_sees_their_own_household_and_its_changes(client, world):
    a = world.a
    body = _page(client, a.villager)
    text = _text(body)
    age = (timezone.localdate() - dt.date(1970, 3, 4)).days // 365
    assert f"{a.head.name} 户主 · {age}岁" in text
    assert a.child.name in text and "出生" in text
    assert a.other_head.name not in text
    assert "138" not in text  # no number, not even masked, on the family card
    member = _text(_page(client, a.member_user))
    assert a.other_head.name in member and a.head.name not in member


def test_elder_mode_is_kept_for_those_who_chose_it(client, world):
    a = world.a
    assert '<html lang="zh-Hans" class="">' in _page(client, a.villager)
    a.villager.elder_mode = True
    a.villager.save(update_fields=["elder_mode"])
    assert '<html lang="zh-Hans" class="elder">' in _page(client, a.villager)


# --- department staff -----------------------------------------------------------------------


def test_civil_affairs_sees_what_it_serves_in_its_village(client, world):
    a, b = world.a, world.b
    body = _page(client, a.department_user)
    text = _text(body)
    assert "民政服务对象" in text and "1 户 2 人" in text
    assert reverse("people:household_detail", args=[a.household.pk]) in body
    for hidden in (a.other_household, b.household):
        assert reverse("people:household_detail", args=[hidden.pk]) not in body
    assert b.head.name not in text and a.other_head.name not in text
    assert 'href="/people/households/?tag=subsistence_allowance"' in body


def test_a_department_account_without_a_subtree_is_told(client, world):
    from xiangzhi.accounts.models import Department, RoleAssignment

    user = UserFactory(username="floating")
    RoleAssignment.objects.create(
        user=user, role="department_staff", department=Department.objects.get(code="emergency")
    )
    assert "还没有绑定管辖范围" in _page(client, user)


# --- cost -----------------------------------------------------------------------------------


def _queries(client, user) -> int:
    client.force_login(user)
    client.get("/")  # the session's first request refreshes it; count a steady one
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


def _grow(world, n: int = 30) -> None:
    """Many more households, people, changes and tagged groups in village a's first grid."""
    a, today = world.a, timezone.localdate()
    for i in range(n):
        born = years_before(today, 60 + i)
        h = household_register(
            actor=world.admin,
            node=a.grid,
            address=f"甲村新巷{i}号",
            tags=["subsistence_allowance"],
            head=ResidentData(
                name=f"甲新{i}", gender="M", birth_date=born, id_number=make_id(born),
                phone=f"139{i:08d}", tags=["disabled"],
            ),
        )  # fmt: skip
        resident_add(
            actor=world.admin,
            household=h,
            kind="birth",
            occurred_on=today,
            data=ResidentData(name=f"甲新娃{i}", gender="F", birth_date=today),
        )
    Resident.objects.filter(pk=a.child.pk).update(relation=Resident.Relation.OTHER)


def test_the_workbench_costs_the_same_queries_whatever_the_rows(client, world):
    a = world.a
    users = [world.chief, a.cadre, a.auditor, a.worker, a.group_leader, a.villager]
    users += [a.member_user, a.department_user, world.admin]
    before = {u.username: _queries(client, u) for u in users}
    _grow(world)
    after = {u.username: _queries(client, u) for u in users}
    assert after == before
    assert Household.objects.filter(node=a.grid).count() > 30


def test_every_workbench_panel_is_registered_by_an_app():
    keys = {p.key for p in PANELS["workbench"]}
    assert {"imports", "people_todo", "own_household", "department", "field"} <= keys
    assert {"changes", "groups", "grid_chart"} <= keys


def test_a_villager_account_without_its_household_is_told_so(client, world):
    """Maintainer review: a villager whose account is linked to nobody in the register read
    "您的账号还没有分配角色", which is wrong: the role is there, the link is not."""
    from xiangzhi.accounts.services import role_assign
    from xiangzhi.core.roles import Role

    user = UserFactory(username="unlinked")
    role_assign(actor=world.admin, user=user, role=Role.VILLAGER, node=world.a.grid)
    body = _page(client, user)
    assert "还没有关联到户籍登记中的本人" in body and "还没有分配角色" not in body
