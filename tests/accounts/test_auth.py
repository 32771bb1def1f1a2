import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.urls import URLPattern, URLResolver, get_resolver

from xiangzhi.core.models import AuditEvent

from ..factories import UserFactory


def test_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = UserFactory(password="long-enough-9")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_the_production_settings_use_argon2_first():
    from importlib import reload

    import xiangzhi.settings as s

    reload(s)
    assert s.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert s.SESSION_EXPIRE_AT_BROWSER_CLOSE and s.SESSION_COOKIE_AGE <= 8 * 3600
    assert "axes.middleware.AxesMiddleware" in s.MIDDLEWARE


def _plain_routes():
    out = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and not p.pattern.regex.groupindex:
                out.append("/" + prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    return [r.replace("^", "").replace("$", "") for r in out]


def test_every_page_needs_a_login_except_login_and_healthz(client, db):
    open_ok = {"/login/", "/admin/login/", "/healthz"}  # the two login forms share axes and audit
    for url in _plain_routes():
        if url.startswith("/api/") or url in open_ok:
            continue
        if url.startswith("/open311/"):
            # Open311 GeoReport v2 clients carry an API key, not a session: its service list is
            # public as the spec has it, and the rest answers 401/403 without a key
            # (tests/appeals/test_open311.py).
            continue
        r = client.get(url)
        assert r.status_code in (302, 405), url
        if r.status_code == 302:
            assert r["Location"].startswith(("/login/", "/admin/login/")), url
    assert client.get("/login/").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok", "database": "up"}


def test_the_api_refuses_requests_without_a_valid_token(client, db):
    assert client.get("/api/v1/households").status_code == 401
    assert client.get("/api/v1/households", HTTP_AUTHORIZATION="Bearer xz_nope").status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_login_success_and_failure_are_audited(client, db):
    UserFactory(username="zhang", password="right-pass-9")
    r = client.post("/login/", {"username": "zhang", "password": "wrong"})
    assert r.status_code == 200 and "账号或密码不正确" in r.content.decode()
    failed = AuditEvent.objects.get(action="accounts.user_login_failed")
    assert failed.changes == {"username": "zhang"} and failed.actor is None
    r = client.post("/login/", {"username": "zhang", "password": "right-pass-9"})
    assert r.status_code == 302
    assert (
        AuditEvent.objects.filter(action="accounts.user_login", actor__username="zhang").count()
        == 1
    )


def test_repeated_failures_lock_the_account_out(client, db):
    UserFactory(username="li", password="right-pass-9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "li", "password": "bad"})
    r = client.post("/login/", {"username": "li", "password": "right-pass-9"})
    assert r.status_code == 429 and "锁定" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_elder_mode_is_one_tap_and_remembered(client, world):
    client.force_login(world.a.villager)
    r = client.post("/accounts/elder-mode/", {"enabled": "1", "next": "/people/households/"})
    assert r.status_code == 302 and r["Location"] == "/people/households/"
    world.a.villager.refresh_from_db()
    assert world.a.villager.elder_mode
    body = client.get("/people/households/").content.decode()
    assert '<html lang="zh-Hans" class="elder">' in body
    assert AuditEvent.objects.filter(action="accounts.user_elder_mode").exists()


def test_elder_mode_before_login_is_kept_in_a_cookie(client, db):
    r = client.post("/accounts/elder-mode/", {"enabled": "1", "next": "https://evil.example/"})
    assert r["Location"] == "/"
    body = client.get("/login/").content.decode()
    assert 'class="elder"' in body


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(client, world):
    from xiangzhi.accounts.models import ApiToken

    client.force_login(world.a.cadre)
    r = client.post("/accounts/me/", {"name": "县平台对接"})
    body = r.content.decode()
    import re

    raw = re.search(r'id="new-token">(xz_[^<]+)<', body).group(1)
    token = ApiToken.objects.get(name="县平台对接")
    assert raw not in token.key_hash and token.prefix == raw[3:11]
    assert client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    client.post(f"/accounts/me/tokens/{token.pk}/revoke/")
    assert client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.parametrize("who", ["cadre", "worker", "villager"])
def test_the_api_lists_only_what_the_user_may_see(client, world, who):
    from xiangzhi.accounts.services import api_token_create

    user = getattr(world.a, who)
    _, token = api_token_create(actor=user, name="t")
    data = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    addresses = {h["address"] for h in data["items"]}
    assert world.a.marker_address in addresses
    assert world.b.marker_address not in addresses
    if who != "cadre":
        assert world.a.other_household.address not in addresses
    residents = client.get(
        "/api/v1/residents", {"search": "jdym"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert [r["name"] for r in residents["items"]] == [world.a.marker_name]
    assert residents["items"][0]["id_number_masked"].count("*") == 13


def test_one_address_spraying_passwords_over_many_accounts_is_stopped(client, db, settings):
    from django.core.management import call_command

    settings.XIANGZHI_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    UserFactory(username="wang", password="right-pass-9")
    for i in range(6):  # one try per account: no single account reaches its own limit
        r = client.post("/login/", {"username": f"user{i}", "password": "123456"})
        assert r.status_code == 200
    r = client.post("/login/", {"username": "wang", "password": "right-pass-9"})
    assert r.status_code == 429 and "登录已暂时停止" in r.content.decode()
    assert "_auth_user_id" not in client.session
    other = type(client)(REMOTE_ADDR="10.1.2.3")  # another address is not affected
    assert (
        other.post("/login/", {"username": "wang", "password": "right-pass-9"}).status_code == 302
    )
    call_command("axes_reset_ip", "127.0.0.1")  # the administrator's unlock
    r = client.post("/login/", {"username": "wang", "password": "right-pass-9"})
    assert r.status_code == 302


def test_a_locked_account_says_so_and_not_that_the_address_is_locked(client, db):
    UserFactory(username="zhao", password="right-pass-9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "zhao", "password": "bad"})
    body = client.post("/login/", {"username": "zhao", "password": "right-pass-9"}).content.decode()
    assert "账号已暂时锁定" in body and "登录已暂时停止" not in body
