"""End to end in Debian's chromium: the 党员花名册 and the resident list's filters and 尾号 search,
on a 360px phone and a 1280px desktop, in elder mode too, with no axe-core violations."""

from __future__ import annotations

import datetime as dt

import pytest

from xiangzhi.people.services.registry import resident_record_death

from .support import BROWSER, axe_check, log_in, nav_click, no_horizontal_scroll

pytestmark = BROWSER

WIDTHS = (360, 1280)


def _check(page, width: int) -> None:
    axe_check(page)
    no_horizontal_scroll(page, width)


def _elder_mode_on(page) -> None:
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")


@pytest.mark.django_db(transaction=True)
def test_the_party_roster_on_a_phone_and_a_desktop(page, live_server, world):
    log_in(page, live_server, world.a.cadre.username)
    nav_click(page, "党员花名册")
    page.wait_for_url("**/party/members/")
    member = world.a.other_head.name
    assert member in page.inner_text("main") and "正式党员" in page.inner_text("main")
    assert world.b.other_head.name not in page.inner_text("main")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        _check(page, width)
    page.set_viewport_size({"width": 360, "height": 740})
    _elder_mode_on(page)
    _check(page, 360)
    # A filter from the form, folded on a phone until wanted: 预备党员 finds nobody here.
    assert not page.is_visible("#category")
    page.click("details.more > summary")
    page.select_option("#category", "probationary")
    page.click("main form button[type=submit]")
    page.wait_for_url("**category=probationary**")
    assert "没有找到符合条件的党员" in page.inner_text("main")
    _check(page, 360)
    page.set_viewport_size({"width": 1280, "height": 800})
    _check(page, 1280)


@pytest.mark.django_db(transaction=True)
def test_resident_filters_and_last_four_search(page, live_server, world):
    resident_record_death(
        actor=world.a.cadre, resident=world.a.child, occurred_on=dt.date(2025, 1, 1)
    )
    log_in(page, live_server, world.a.cadre.username)
    # The workbench links here with these parameters.
    page.goto(f"{live_server.url}/people/residents/?age=60&party=member")
    main = page.inner_text("main")
    assert world.a.other_head.name in main and world.a.marker_name not in main
    assert page.input_value("#age") == "60" and page.input_value("#f-party") == "member"
    assert page.is_visible("#age")  # the chosen filters are shown unfolded
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        _check(page, width)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/people/residents/")
    assert page.input_value("#status") == ""
    _elder_mode_on(page)
    page.fill("#q", "1111")  # the last four of 甲村's head's phone
    page.click("main form button[type=submit]")
    page.wait_for_url("**q=1111**")
    assert world.a.marker_name in page.inner_text("main table")
    _check(page, 360)
    # Someone who died is found, with the status, not "not found".
    page.fill("#q", world.a.child.name)
    page.click("details.more > summary")
    page.select_option("#status", "")  # 默认: the search looks among everyone
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    row = page.inner_text("main table")
    assert world.a.child.name in row and "已死亡" in row
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        _check(page, width)
