"""Accounts end with the person (issue 10, point 4): a death or a move-out ends the villager's and
party member's account; a password change or "log out everywhere" ends the other sessions and
revokes every API token."""

from __future__ import annotations

import datetime as dt

from xiangzhi.accounts.models import ApiToken, RoleAssignment
from xiangzhi.accounts.services import api_token_create, role_assign
from xiangzhi.core.models import AuditEvent
from xiangzhi.core.roles import Role
from xiangzhi.people.services import resident_move_out, resident_record_death

from ..conftest import Client


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_death_deactivates_the_villagers_account_and_revokes_its_tokens(client, world):
    villager = world.a.villager
    _, token = api_token_create(actor=villager, name="手机")
    client.force_login(villager)
    assert client.get(f"/people/households/{world.a.household.pk}/").status_code == 200
    resident_record_death(
        actor=world.a.cadre,
        resident=world.a.head,
        occurred_on=dt.date.today(),
        new_head=world.a.child,
    )
    villager.refresh_from_db()
    assert not villager.is_active
    assert not RoleAssignment.objects.filter(user=villager).exists()
    assert not ApiToken.objects.filter(user=villager, revoked_at__isnull=True).exists()
    assert client.get(f"/people/households/{world.a.household.pk}/").status_code == 302  # login
    assert client.get("/api/v1/households", **_bearer(token)).status_code == 401
    event = AuditEvent.objects.get(action="accounts.user_leave", object_id=str(villager.pk))
    assert event.changes["deactivated"] and event.changes["reason"] == "death"


def test_a_move_out_leaves_a_worker_their_job_but_not_the_household(client, world):
    member_user = world.a.member_user  # the party member living in the sibling grid
    role_assign(actor=world.admin, user=member_user, role=Role.GRID_WORKER, node=world.a.grid)
    household = world.a.other_household
    resident_move_out(actor=world.a.cadre, resident=household.head, occurred_on=dt.date.today())
    member_user.refresh_from_db()
    assert member_user.is_active
    roles = set(RoleAssignment.objects.filter(user=member_user).values_list("role", flat=True))
    assert roles == {Role.GRID_WORKER}
    client.force_login(member_user)
    assert client.get(f"/people/households/{household.pk}/").status_code == 404
    assert client.get(f"/people/households/{world.a.household.pk}/").status_code == 200  # the job


def test_a_villager_who_left_sees_nothing_of_the_household_even_with_a_live_account(client, world):
    from xiangzhi.people.models import Resident

    # An account left active by an older version: the scope still follows the registry.
    Resident.objects.filter(pk=world.a.head.pk).update(status=Resident.Status.MOVED_OUT)
    client.force_login(world.a.villager)
    assert client.get(f"/people/households/{world.a.household.pk}/").status_code == 404
    body = client.get("/people/households/").content.decode()
    assert world.a.marker_address not in body and world.a.child.name not in body


def test_log_out_everywhere_ends_other_sessions_and_tokens_but_not_this_one(client, world):
    cadre = world.a.cadre
    phone = Client()
    phone.force_login(cadre)
    _, token = api_token_create(actor=cadre, name="对接")
    client.force_login(cadre)
    r = client.post("/accounts/me/sessions/end/")
    assert r.status_code == 302 and r["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200  # this device stays
    assert phone.get("/accounts/me/").status_code == 302  # the other is logged out
    assert client.get("/api/v1/households", **_bearer(token)).status_code == 401
    assert AuditEvent.objects.filter(action="accounts.user_sessions_end").count() == 1


def test_a_password_change_ends_other_sessions_and_revokes_tokens(client, world):
    cadre = world.a.cadre
    cadre.set_password("old-pass-123")
    cadre.save()
    phone = Client()
    phone.force_login(cadre)
    _, token = api_token_create(actor=cadre, name="对接")
    client.force_login(cadre)
    r = client.post(
        "/accounts/me/password/",
        {
            "old_password": "old-pass-123",
            "new_password1": "Qingshan-2026-new",
            "new_password2": "Qingshan-2026-new",
        },
    )
    assert r.status_code == 302
    assert client.get("/accounts/me/").status_code == 200
    assert phone.get("/accounts/me/").status_code == 302
    assert client.get("/api/v1/households", **_bearer(token)).status_code == 401
    assert AuditEvent.objects.filter(action="accounts.user_password_change").exists()


def test_a_wrong_old_password_changes_nothing_and_says_so_in_chinese(client, world):
    cadre = world.a.cadre
    _, token = api_token_create(actor=cadre, name="对接")
    client.force_login(cadre)
    r = client.post(
        "/accounts/me/password/",
        {"old_password": "nope", "new_password1": "Abc-12345x", "new_password2": "Abc-12345x"},
    )
    assert r.status_code == 200 and "旧密码" in r.content.decode()
    assert client.get("/api/v1/households", **_bearer(token)).status_code == 200


def test_a_password_set_by_the_administrator_revokes_tokens_too(world):
    cadre = world.a.cadre
    api_token_create(actor=cadre, name="对接")
    cadre.set_password("reset-by-admin-1")
    cadre.save()
    assert not ApiToken.objects.filter(user=cadre, revoked_at__isnull=True).exists()


def test_an_account_ended_by_a_death_is_audited_where_the_villages_auditor_reads(world):
    from xiangzhi.core.selectors import audit_event_list

    # The world's villager holds a role bound to no node: the event takes the household's node.
    resident_record_death(
        actor=world.a.cadre,
        resident=world.a.head,
        occurred_on=dt.date.today(),
        new_head=world.a.child,
    )
    event = AuditEvent.objects.get(action="accounts.user_leave", object_id=str(world.a.villager.pk))
    assert event.node == world.a.household.node
    assert audit_event_list(actor=world.a.auditor).filter(pk=event.pk).exists()
    assert not audit_event_list(actor=world.b.auditor).filter(pk=event.pk).exists()


def test_a_workers_own_account_events_are_filed_under_their_node_like_their_logins(world):
    from xiangzhi.accounts.services import api_token_revoke, user_sessions_end, user_set_elder_mode
    from xiangzhi.core.selectors import audit_event_list

    worker = world.a.worker
    token, _ = api_token_create(actor=worker, name="对接")
    api_token_revoke(actor=worker, token=token)
    user_set_elder_mode(actor=worker, enabled=True)
    user_sessions_end(actor=worker, user=worker)
    worker.set_password("chosen-by-owner-2")
    worker.save()
    actions = {
        "accounts.api_token_create",
        "accounts.api_token_revoke",
        "accounts.user_elder_mode",
        "accounts.user_sessions_end",
        "accounts.user_password_change",
    }
    events = AuditEvent.objects.filter(actor_id=worker.pk, action__in=actions)
    assert {e.action: e.node for e in events} == dict.fromkeys(actions, world.a.grid)
    visible = audit_event_list(actor=world.a.auditor).filter(actor_id=worker.pk)
    assert set(visible.values_list("action", flat=True)) >= actions


def test_the_audit_page_names_why_an_account_ended_and_which_roles_went(world):
    from xiangzhi.core.audit_display import audit_rows

    resident_record_death(
        actor=world.a.cadre,
        resident=world.a.head,
        occurred_on=dt.date.today(),
        new_head=world.a.child,
    )
    event = AuditEvent.objects.get(action="accounts.user_leave", object_id=str(world.a.villager.pk))
    text = audit_rows([event], actor=world.admin)[0].changes_text
    assert "原因：死亡" in text and "撤销的角色：村（居）民" in text
    assert "death" not in text and "villager" not in text
    # Two roles are a list of roles, not a change from one to the other; other actions' reasons
    # are their own free text.
    event.changes["roles_removed"] = ["villager", "party_member"]
    other = AuditEvent(action="points.entry_reverse", changes={"reason": "death"})
    rows = audit_rows([event, other], actor=world.admin)
    assert "撤销的角色：村（居）民、党员" in rows[0].changes_text
    assert rows[1].changes_text == "原因：death"
