"""The account pages end to end in chromium, at 360px and 1280px, in standard and elder mode:
a village secretary creates a grid worker's account, the worker logs in with the one-time
password and is held on the password change until they choose one, the secretary resets it;
every page axe-clean and without sideways scroll."""

from __future__ import annotations

import re

import pytest

from .support import BROWSER, axe_check, log_in, no_horizontal_scroll

pytestmark = BROWSER

OTP = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")


def _check(page, width):
    axe_check(page)
    no_horizontal_scroll(page, width)


def _log_out(page):
    page.click("header form[action='/logout/'] button")
    page.wait_for_url("**/login/**")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "elder"), [(360, True), (1280, False)])
def test_a_secretary_creates_and_resets_an_account(page, live_server, world, width, elder):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, world.a.secretary.username)
    if elder:
        page.click("#elder-toggle")
        page.wait_for_selector("html.elder")
    page.goto(f"{live_server.url}/accounts/manage/")
    assert "账号管理" in page.inner_text("h1")
    assert "甲村一号网格员" in page.inner_text("main")
    _check(page, width)

    # Find a resident to link, then create a plain grid worker's account instead.
    page.click("text=新建账号")
    page.fill("#q", "甲小朵")
    page.click("main form[role=search] button")
    assert "甲小朵" in page.inner_text("#person-results")
    _check(page, width)
    page.fill("#id_display_name", "甲村新网格员")
    page.select_option("#id_role", "grid_worker")
    page.select_option("#id_node", str(world.a.grid.pk))
    page.click("main form[method=post] button[type=submit]")
    otp = page.inner_text("code.otp").strip()
    assert OTP.match(otp)
    username = page.inner_text("#one-time-passwords td code").strip()
    _check(page, width)

    # The new owner logs in and is held on the password change.
    _log_out(page)
    log_in(page, live_server, username, otp)
    assert page.url.endswith("/accounts/me/password/")
    page.goto(f"{live_server.url}/people/residents/")
    assert page.url.endswith("/accounts/me/password/")
    assert page.is_visible("#first-login")
    _check(page, width)
    page.fill("#id_old_password", otp)
    page.fill("#id_new_password1", "my-own-pass-77")
    page.fill("#id_new_password2", "my-own-pass-77")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/me/")
    page.goto(f"{live_server.url}/people/residents/")
    assert page.url.endswith("/people/residents/")

    # The secretary resets it: a new one-time password, the account must change again.
    _log_out(page)
    log_in(page, live_server, world.a.secretary.username)
    page.goto(f"{live_server.url}/accounts/manage/?q=新网格员")
    page.click("text=甲村新网格员")
    assert page.inner_text("#account-status").strip() == "正在使用"
    _check(page, width)
    page.click("#reset-password")
    again = page.inner_text("code.otp").strip()
    assert OTP.match(again) and again != otp
    _check(page, width)

    # Switched off from its page: the message and the page stay axe-clean.
    page.go_back()
    page.reload()
    page.click("#deactivate")
    page.wait_for_selector("#reactivate")
    assert page.inner_text("#account-status").strip() == "已停用"
    assert "账号已停用" in page.inner_text(".messages")
    _check(page, width)
