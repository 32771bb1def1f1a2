"""The account pages: the same rules as the services, on every page; the first-login change
enforced on every page and on the API; query counts that do not grow with the accounts listed."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.accounts.services import api_token_create
from xiangzhi.accounts.services.org_accounts import account_create
from xiangzhi.core.roles import Role

from .test_org_accounts import _new_member, _worker_account

OTP = re.compile(r'<code class="otp">([a-z0-9-]{14})</code>')


def _create(client, world, **data):
    form = {"display_name": "甲村新网格员", "role": Role.GRID_WORKER, "node": world.a.grid.pk}
    form.update(data)
    return client.post("/accounts/manage/new/", form)


def test_the_nav_entry_shows_only_to_those_who_run_accounts(client, world):
    for user, shown in [
        (world.chief, True),
        (world.a.secretary, True),
        (world.a.cadre, False),
        (world.a.worker, False),
        (world.a.auditor, False),
        (world.a.villager, False),
    ]:
        client.force_login(user)
        body = client.get("/accounts/me/").content.decode()
        assert ('href="/accounts/manage/"' in body) is shown, user
        expected = 200 if shown else 403
        assert client.get("/accounts/manage/").status_code == expected
        assert client.get("/accounts/manage/new/").status_code == expected


def test_a_created_account_shows_its_one_time_password_once(client, world):
    client.force_login(world.a.secretary)
    r = _create(client, world)
    assert r.status_code == 200
    otp = OTP.search(r.content.decode()).group(1)
    user = User.objects.get(display_name="甲村新网格员")
    assert user.check_password(otp) and user.password_change_required
    detail = client.get(f"/accounts/manage/{user.pk}/").content.decode()
    assert otp not in detail and "待修改初始密码" in detail
    listing = client.get("/accounts/manage/").content.decode()
    assert otp not in listing and "甲村新网格员" in listing


def test_a_forged_form_granting_above_or_outside_is_refused_and_nothing_is_made(client, world):
    client.force_login(world.a.secretary)
    before = User.objects.count()
    assert _create(client, world, role=Role.TOWNSHIP_STAFF, node=world.a.node.pk).status_code in {
        200,  # the choice is not offered: a form error
        403,
    }
    assert _create(client, world, node=world.b.grid.pk).status_code == 200  # not a choice
    assert _create(client, world, node=world.township.pk).status_code == 200
    assert User.objects.count() == before


def test_the_role_page_refuses_above_and_outside_too(client, world):
    user = _worker_account(world)
    client.force_login(world.a.secretary)
    url = f"/accounts/manage/{user.pk}/roles/"
    for role, node in [
        (Role.AUDITOR, world.a.node),
        (Role.TOWNSHIP_STAFF, world.a.node),
        (Role.GRID_WORKER, world.b.grid),
    ]:
        client.post(url, {"role": role, "node": node.pk})
    assert list(user.role_assignments.values_list("role", flat=True)) == [Role.GRID_WORKER]
    r = client.post(url, {"role": Role.GROUP_LEADER, "node": world.a.group.pk})
    assert r.status_code == 302
    assert user.role_assignments.count() == 2


def test_a_department_role_without_a_node_is_a_form_error_not_a_refusal(client, world):
    from xiangzhi.accounts.models import Department

    user = _worker_account(world)
    client.force_login(world.chief)
    dept = Department.objects.get(code="civil_affairs")
    r = client.post(
        f"/accounts/manage/{user.pk}/roles/", {"role": Role.DEPARTMENT_STAFF, "department": dept.pk}
    )
    assert r.status_code == 302
    assert list(user.role_assignments.values_list("role", flat=True)) == [Role.GRID_WORKER]
    assert "请选择角色所在的网格" in client.get(r["Location"]).content.decode()


def test_a_neighbour_cannot_open_reset_or_switch_off_an_account(client, world):
    user = _worker_account(world)
    client.force_login(world.b.secretary)
    assert client.get(f"/accounts/manage/{user.pk}/").status_code == 404
    assert client.post(f"/accounts/manage/{user.pk}/reset/").status_code == 404
    assert client.post(f"/accounts/manage/{user.pk}/switch/", {"enabled": "0"}).status_code == 404
    ra = user.role_assignments.get()
    assert client.post(f"/accounts/manage/roles/{ra.pk}/remove/").status_code == 404
    fresh = User.objects.get(pk=user.pk)
    assert fresh.password == user.password and fresh.is_active
    assert "甲村" not in client.get("/accounts/manage/?q=甲").content.decode()


def test_an_account_holding_a_role_above_is_listed_nowhere_below(client, world):
    client.force_login(world.a.secretary)
    body = client.get("/accounts/manage/").content.decode()
    assert "甲村一号网格员" in body and "甲村党小组长" in body
    assert "乙村" not in body and world.chief.display_name not in body
    assert "甲村村民" not in body  # a household role bound to no node: the administrator's
    assert "甲村审计员" not in body  # an auditor ranks with the township, and is staff here
    above = _worker_account(world)
    from xiangzhi.accounts.services import role_assign

    role_assign(actor=world.admin, user=above, role=Role.TOWNSHIP_STAFF, node=world.a.node)
    assert "a新网格员" not in client.get("/accounts/manage/").content.decode()
    assert client.get(f"/accounts/manage/{above.pk}/").status_code == 404
    assert client.get(f"/accounts/manage/{world.chief.pk}/").status_code == 404


def test_a_reset_on_the_page_shows_the_password_once_and_logs_the_owner_out(client, world):
    from tests.conftest import Client

    user = _worker_account(world)
    user.set_password("chosen-by-owner-1")
    user.save()
    owner = Client()
    owner.force_login(user)
    assert owner.get("/accounts/me/").status_code == 200
    client.force_login(world.a.secretary)
    r = client.post(f"/accounts/manage/{user.pk}/reset/")
    otp = OTP.search(r.content.decode()).group(1)
    assert r["Cache-Control"].startswith("no-store") or "no-store" in r["Cache-Control"]
    user.refresh_from_db()
    assert user.check_password(otp)
    assert owner.get("/accounts/me/").status_code == 302  # the owner's session ended


def test_the_list_filters_by_role_status_and_search(client, world):
    user = _worker_account(world)
    client.force_login(world.a.secretary)
    pick = lambda q: client.get(f"/accounts/manage/?{q}").content.decode()  # noqa: E731
    assert "a新网格员" in pick("status=must_change") and "甲村书记" not in pick(
        "status=must_change"
    )
    assert "甲村党小组长" in pick("role=group_leader")
    assert "a新网格员" not in pick("role=group_leader")
    assert "a新网格员" in pick("q=新网格") and "甲村党小组长" not in pick("q=新网格")
    client.post(f"/accounts/manage/{user.pk}/switch/", {"enabled": "0"})
    assert "a新网格员" in pick("status=inactive") and "a新网格员" not in pick("status=active")


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/accounts/manage/").status_code == 200
    return len(queries)


def test_the_lists_queries_do_not_grow_with_its_accounts(client, world):
    client.force_login(world.a.secretary)
    _list_queries(client)  # the first page of a session also refreshes the session
    few = _list_queries(client)
    for i in range(12):
        account_create(
            actor=world.admin, display_name=f"甲村批量{i}", role=Role.GRID_WORKER, node=world.a.grid
        )
    assert _list_queries(client) == few


def test_a_new_account_goes_to_the_password_change_on_every_page_until_it_changes(client, world):
    user, otp = account_create(
        actor=world.a.secretary, display_name="甲新人", role=Role.GRID_WORKER, node=world.a.grid
    )
    r = client.post("/login/", {"username": user.username, "password": otp})
    assert r.status_code == 302
    for url in ["/", "/people/residents/", "/accounts/me/", f"/grid/nodes/{world.a.grid.pk}/"]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"] == "/accounts/me/password/", url
    r = client.post("/accounts/me/tokens/1/revoke/")
    assert r.status_code == 302 and r["Location"] == "/accounts/me/password/"
    page = client.get("/accounts/me/password/").content.decode()
    assert 'id="first-login"' in page
    r = client.post(
        "/accounts/me/password/",
        {"old_password": otp, "new_password1": "my-own-pass-77", "new_password2": "my-own-pass-77"},
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert not user.password_change_required
    assert client.get("/people/residents/").status_code == 200


def test_the_api_refuses_the_token_of_an_account_that_must_change(client, world):
    user = _worker_account(world)
    user.set_password("chosen-by-owner-1")
    user.save()
    _, token = api_token_create(actor=user, name="对接")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/grid/nodes", **auth).status_code == 200
    User.objects.filter(pk=user.pk).update(password_change_required=True)
    assert client.get("/api/v1/grid/nodes", **auth).status_code == 401


def test_the_party_page_prints_each_new_account_once(client, world):
    _new_member(world, "甲新党员")
    client.force_login(world.a.secretary)
    assert client.get("/accounts/manage/party-members/").status_code == 200
    r = client.post("/accounts/manage/party-members/", {"node": world.a.node.pk})
    body = r.content.decode()
    assert "甲新党员" in body and len(OTP.findall(body)) == 1
    member = RoleAssignment.objects.get(user__display_name="甲新党员")
    assert member.role == Role.PARTY_MEMBER
    again = client.post("/accounts/manage/party-members/", {"node": world.a.node.pk})
    assert OTP.findall(again.content.decode()) == []
    client.force_login(world.b.secretary)
    assert client.post(
        "/accounts/manage/party-members/", {"node": world.a.node.pk}
    ).status_code in {
        403,
        404,
    }


def test_the_party_page_offers_the_hamlet_groups_it_promises(client, world):
    client.force_login(world.a.secretary)
    html = client.get("/accounts/manage/party-members/").content.decode()
    assert "党小组" in html  # the help text: 为所选村（或支部、党小组）
    for node in (world.a.node, world.a.branch, world.a.group):
        assert f'<option value="{node.pk}">' in html
    assert f'<option value="{world.a.grid.pk}">' not in html  # a 党员中心户 is no organisation


@pytest.mark.parametrize("who", ["cadre", "auditor", "worker"])
def test_read_only_and_field_roles_cannot_post_to_the_account_pages(client, world, who):
    user = _worker_account(world)
    client.force_login(getattr(world.a, who))
    assert _create(client, world).status_code == 403
    assert client.post(f"/accounts/manage/{user.pk}/reset/").status_code == 404
    assert client.post(
        "/accounts/manage/party-members/", {"node": world.a.node.pk}
    ).status_code in {
        403,
        404,
    }
    assert User.objects.get(pk=user.pk).password == user.password


def test_a_villager_account_without_a_resident_says_so_on_the_form(client, world):
    client.force_login(world.a.secretary)
    r = client.get(f"/accounts/manage/new/?person={world.a.child.pk}")
    assert "甲小朵" in r.content.decode()
    r = _create(client, world, role=Role.VILLAGER, display_name="无名氏")
    assert r.status_code == 200 and not User.objects.filter(display_name="无名氏").exists()
    assert 'role="alert"' in r.content.decode()  # the role is not offered without a resident
    r = _create(client, world, role=Role.VILLAGER, display_name="", person=world.a.child.pk)
    assert OTP.search(r.content.decode())
    world.a.child.refresh_from_db()
    assert world.a.child.user.display_name == "甲小朵"


def test_the_form_offers_the_party_member_role_to_a_member_on_the_register_only(client, world):
    client.force_login(world.a.secretary)
    child = client.get(f"/accounts/manage/new/?person={world.a.child.pk}").content.decode()
    assert 'value="villager"' in child and 'value="party_member"' not in child
    r = _create(client, world, role=Role.PARTY_MEMBER, display_name="", person=world.a.child.pk)
    assert r.status_code == 200 and not OTP.search(r.content.decode())
    world.a.child.refresh_from_db()
    assert world.a.child.user is None


ONCE = re.compile(r'<input type="hidden" name="once" value="([^"]+)">')


def test_a_refreshed_form_makes_no_second_account_nor_a_second_password(client, world):
    """The page showing new one-time passwords answers a POST: a browser's refresh sends the form
    again. The form's `once` token tells the copy already sent, for creation, reset and bulk."""
    client.force_login(world.a.secretary)
    once = ONCE.search(client.get("/accounts/manage/new/").content.decode()).group(1)
    assert OTP.search(_create(client, world, once=once).content.decode())
    again = _create(client, world, once=once)
    assert again.status_code == 302 and again["Location"] == "/accounts/manage/"
    assert User.objects.filter(display_name="甲村新网格员").count() == 1
    assert "这张表已经提交过" in client.get("/accounts/manage/").content.decode()

    user = User.objects.get(display_name="甲村新网格员")
    page = client.get(f"/accounts/manage/{user.pk}/").content.decode()
    once = ONCE.search(page).group(1)
    otp = OTP.search(
        client.post(f"/accounts/manage/{user.pk}/reset/", {"once": once}).content.decode()
    ).group(1)
    assert client.post(f"/accounts/manage/{user.pk}/reset/", {"once": once}).status_code == 302
    user.refresh_from_db()
    assert user.check_password(otp)  # the shown password still works: no silent second reset

    _new_member(world, "甲新党员")
    once = ONCE.search(client.get("/accounts/manage/party-members/").content.decode()).group(1)
    made = client.post("/accounts/manage/party-members/", {"node": world.a.node.pk, "once": once})
    otp = OTP.search(made.content.decode()).group(1)
    sent = client.post("/accounts/manage/party-members/", {"node": world.a.node.pk, "once": once})
    assert sent.status_code == 302
    member = User.objects.get(display_name="甲新党员")
    assert member.check_password(otp)


def test_the_one_time_password_cannot_be_kept_as_the_new_one(client, world):
    """Hostile review: the forced change took the one-time password again and cleared the flag,
    so the leader who read it out could still log in as the owner."""
    user, otp = account_create(
        actor=world.a.secretary,
        display_name="甲村新网格员",
        role=Role.GRID_WORKER,
        node=world.a.grid,
    )
    assert client.post("/login/", {"username": user.username, "password": otp}).status_code == 302
    same = {"old_password": otp, "new_password1": otp, "new_password2": otp}
    r = client.post("/accounts/me/password/", same)
    assert r.status_code == 200 and "新密码不能与原密码" in r.content.decode()
    user.refresh_from_db()
    assert user.password_change_required


def test_peers_and_the_auditor_are_run_from_above(world):
    """Hostile review: equal rank meant full control (township staff reset the 纪检 auditor)."""
    from django.core.exceptions import PermissionDenied

    from tests.factories import UserFactory
    from xiangzhi.accounts.services import role_assign
    from xiangzhi.accounts.services.org_accounts import account_password_reset

    staff = UserFactory(username="ts")
    role_assign(actor=world.admin, user=staff, role=Role.TOWNSHIP_STAFF, node=world.township)
    auditor = UserFactory(username="jijian")
    role_assign(actor=world.admin, user=auditor, role=Role.AUDITOR, node=world.township)
    with pytest.raises(PermissionDenied):
        account_password_reset(actor=staff, user=auditor)
    peer = UserFactory(username="a-second-secretary")
    role_assign(actor=world.admin, user=peer, role=Role.VILLAGE_SECRETARY, node=world.a.node)
    with pytest.raises(PermissionDenied):
        account_password_reset(actor=world.a.secretary, user=peer)
    account_password_reset(actor=world.chief, user=auditor)  # the chief runs them


def test_the_grid_staff_form_takes_only_accounts_the_leader_runs(client, world):
    """Hostile review: a village's secretary could bind the neighbour's worker (locking its own
    secretary out of it) or the chief as a worker, and learn which usernames exist."""
    from django.core.exceptions import PermissionDenied

    from xiangzhi.grid.services import node_staff_assign

    with pytest.raises(PermissionDenied):
        node_staff_assign(actor=world.a.secretary, node=world.a.grid, user=world.b.worker)
    with pytest.raises(PermissionDenied):
        node_staff_assign(actor=world.a.secretary, node=world.a.grid, user=world.chief)
    client.force_login(world.a.secretary)
    r = client.post(f"/grid/nodes/{world.a.grid.pk}/staff/", {"username": world.b.worker.username})
    assert "在您管理的账号中找不到该账号" in r.content.decode()
    assert not RoleAssignment.objects.filter(user=world.b.worker, node=world.a.grid).exists()
