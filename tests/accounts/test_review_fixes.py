"""Fixes from the hostile review of issue 10's account work, each with the attack it stops."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from xiangzhi.accounts.models import RoleAssignment, User
from xiangzhi.accounts.services import api_token_create
from xiangzhi.core.models import AuditEvent
from xiangzhi.core.roles import Role
from xiangzhi.people.models import Resident
from xiangzhi.people.services import resident_move_out, resident_record_death

from ..conftest import Client
from ..factories import UserFactory


def _login(client, username, password="wrong", **meta):
    return client.post("/login/", {"username": username, "password": password}, **meta)


def test_behind_a_proxy_each_client_is_throttled_by_its_own_address(db, settings):
    settings.XIANGZHI_PROXY_COUNT = 1
    UserFactory(username="secretary_wang", password="right-pass-9")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    stranger = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for i in range(settings.XIANGZHI_LOGIN_ADDRESS_FAILURE_LIMIT):
        _login(Client(), f"nobody{i}", **stranger)
    assert _login(Client(), "secretary_wang", "right-pass-9", **stranger).status_code == 429
    # A forged entry on the left changes nothing: the proxy's own entry is the right-most.
    forged = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.66"}
    assert _login(Client(), "secretary_wang", "right-pass-9", **forged).status_code == 429
    office = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert _login(Client(), "secretary_wang", "right-pass-9", **office).status_code == 302
    event = AuditEvent.objects.filter(action="accounts.user_login").latest("pk")
    assert event.ip == "198.51.100.7"  # the audit trail records the client, not the proxy


def test_an_office_retrying_its_right_passwords_does_not_keep_its_address_locked(db):
    office = {"REMOTE_ADDR": "192.0.2.50"}
    staff = [UserFactory(username=f"cadre{i}", password="right-pass-9") for i in range(10)]
    for i in range(settings.XIANGZHI_LOGIN_ADDRESS_FAILURE_LIMIT):
        _login(Client(), f"bogus{i}", **office)
    for user in staff:
        for _ in range(3):
            assert _login(Client(), user.username, "right-pass-9", **office).status_code == 429
    assert not AccessAttempt.objects.filter(username__startswith="cadre").exists()
    assert AuditEvent.objects.filter(action="accounts.user_login_locked").count() == 30
    AccessAttempt.objects.filter(username__startswith="bogus").update(
        attempt_time=timezone.now() - dt.timedelta(hours=1)
    )
    assert _login(Client(), "cadre0", "right-pass-9", **office).status_code == 302


def test_many_mistakes_on_one_account_do_not_lock_the_whole_address(db):
    """Usernames are counted, not failures: one cadre mistyping stays one cadre."""
    UserFactory(username="li", password="right-pass-9")
    UserFactory(username="zhou", password="right-pass-9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "li")
    assert _login(Client(), "li", "right-pass-9").status_code == 429  # li's own lock
    assert _login(Client(), "zhou", "right-pass-9").status_code == 302


def test_guessing_the_old_password_on_the_change_page_is_throttled_and_audited(client, world):
    cadre = world.a.cadre
    cadre.set_password("correct-horse-9")
    cadre.save()
    client.force_login(cadre)
    new = {"new_password1": "Qs-2026-aa!x", "new_password2": "Qs-2026-aa!x"}
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        r = client.post("/accounts/me/password/", {"old_password": f"guess-{i}", **new})
        assert r.status_code == 200 and "旧密码" in r.content.decode()
    last = client.post("/accounts/me/password/", {"old_password": "guess-last", **new})
    assert last.status_code == 429  # the limit reached: locked, as at the login page
    r = client.post("/accounts/me/password/", {"old_password": "correct-horse-9", **new})
    assert r.status_code == 429  # even the right one: the account is locked for a while
    cadre.refresh_from_db()
    assert cadre.check_password("correct-horse-9")
    failed = AuditEvent.objects.filter(action="accounts.user_login_failed")
    assert failed.count() == settings.AXES_FAILURE_LIMIT


def test_a_rehash_at_login_is_no_password_change(world, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    cadre = world.a.cadre
    User.objects.filter(pk=cadre.pk).update(
        password=make_password("old-pass-123", hasher="pbkdf2_sha256")
    )
    _, token = api_token_create(actor=cadre, name="县平台对接")
    c = Client()
    assert _login(c, cadre.username, "old-pass-123").status_code == 302
    cadre.refresh_from_db()
    assert cadre.password.startswith("argon2")  # upgraded
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert c.get("/api/v1/households", **bearer).status_code == 200
    assert not AuditEvent.objects.filter(action="accounts.user_password_change").exists()


def test_a_village_cadre_cannot_switch_off_a_township_or_administrator_account(world):
    RoleAssignment.objects.create(user=world.admin, role=Role.VILLAGER)
    Resident.objects.filter(pk=world.a.child.pk).update(user=world.admin)
    child = Resident.objects.get(pk=world.a.child.pk)
    resident_move_out(actor=world.a.cadre, resident=child, occurred_on=dt.date.today())
    world.admin.refresh_from_db()
    assert world.admin.is_active
    assert not RoleAssignment.objects.filter(user=world.admin, role=Role.VILLAGER).exists()
    Resident.objects.filter(pk=world.a.other_head.pk).update(user=world.chief)
    other = Resident.objects.get(pk=world.a.other_head.pk)
    resident_record_death(actor=world.a.cadre, resident=other, occurred_on=dt.date.today())
    world.chief.refresh_from_db()
    assert world.chief.is_active
    event = AuditEvent.objects.filter(action="accounts.user_leave").latest("seq")
    assert event.changes["needs_review"] and not event.changes["deactivated"]


def test_an_exact_number_search_finds_nobody_for_a_role_that_may_not_reveal(client, world):
    head = world.a.head
    client.force_login(world.a.auditor)
    for q in (head.id_number, head.phone):
        assert head.name not in client.get("/people/residents/", {"q": q}).content.decode()
    _, token = api_token_create(actor=world.a.auditor, name="script")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    found = client.get("/api/v1/residents", {"search": head.id_number}, **bearer).json()
    assert found["items"] == []
    client.force_login(world.a.cadre)  # a role that may reveal finds the person
    assert head.name in client.get("/people/residents/", {"q": head.id_number}).content.decode()
