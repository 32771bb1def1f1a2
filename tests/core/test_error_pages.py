"""403, 404, 500 and CSRF failures answer in Chinese, in the site's layout, with a way back."""

from __future__ import annotations

import re

import pytest
from django.test import Client

LAYOUT = 'class="brand"'  # the base layout's header
ENGLISH = re.compile(r"Forbidden|Not Found|Server Error|CSRF verification|Page not found")


def _check(response, status: int, title: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert LAYOUT in body and title in body and "返回首页" in body, body[-800:]
    assert not ENGLISH.search(body), ENGLISH.search(body)
    return body


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def test_a_refused_page_is_chinese_and_says_why(client, world):
    client.force_login(world.a.secretary)
    r = client.get("/core/audit/", HTTP_REFERER="http://testserver/grid/")
    body = _check(r, 403, "没有权限")
    assert "只有总网格长、镇干部和审计人员可以查看审计日志" in body
    assert 'href="http://testserver/grid/"' in body and "返回上一页" in body
    assert "主导航" in body  # the user's menu is there to go on from


def test_a_missing_page_is_chinese_and_leaks_no_developer_text(client, world):
    client.force_login(world.a.cadre)
    _check(client.get("/no/such/page/"), 404, "页面不存在")
    _check(client.get(f"/people/households/{world.b.household.pk}/"), 404, "页面不存在")


def test_a_foreign_referer_is_not_offered_as_the_way_back(client, world):
    client.force_login(world.a.cadre)
    r = client.get("/no/such/page/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in r.content.decode()


@pytest.mark.urls("tests.core.error_urls")
def test_a_server_error_is_chinese_in_the_layout(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.a.cadre)
    body = _check(client.get("/boom/"), 500, "系统出错")
    assert "RuntimeError" not in body and "a bug" not in body


def test_a_form_without_its_token_gets_the_chinese_expired_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.cadre)
    r = client.post("/accounts/elder-mode/", {"enabled": "1"})
    _check(r, 403, "页面已过期")
    world.a.cadre.refresh_from_db()
    assert world.a.cadre.elder_mode is False  # nothing changed


def test_a_login_form_without_its_token_gets_the_chinese_expired_page(db):
    client = Client(enforce_csrf_checks=True)
    r = client.post("/login/", {"username": "x", "password": "y"})
    _check(r, 403, "页面已过期")
