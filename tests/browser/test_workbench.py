"""The workbench (工作台) of every role in Debian's chromium: at 360 px and 1280 px, in elder
mode, with no axe-core violation and no sideways scroll; the chart drawn by the local ECharts."""

from __future__ import annotations

import pytest

from .support import BROWSER, axe_check, log_in, no_horizontal_scroll

pytestmark = BROWSER

# (who, the user's attribute on the world or a village, a panel their workbench must show)
ROLES = [
    ("chief", lambda w: w.chief, "#panel-groups"),
    ("cadre", lambda w: w.a.cadre, "#panel-todo"),
    ("auditor", lambda w: w.a.auditor, "#panel-chart"),
    ("grid worker", lambda w: w.a.worker, "#panel-field"),
    ("group leader", lambda w: w.a.group_leader, "#panel-field"),
    ("villager", lambda w: w.a.villager, "main .home h2"),
    ("party member", lambda w: w.a.member_user, "main .home h2"),
    ("民政", lambda w: w.a.department_user, "#panel-department"),
]


def _check(page, width: int) -> None:
    axe_check(page)
    no_horizontal_scroll(page, width)


@pytest.mark.django_db(transaction=True)
def test_every_roles_workbench_on_a_phone_and_a_desktop(page, live_server, world):
    for who, user_of, panel in ROLES:
        page.context.clear_cookies()
        page.set_viewport_size({"width": 360, "height": 740})
        log_in(page, live_server, user_of(world).username)
        assert page.url == f"{live_server.url}/", who
        assert page.inner_text("h1").startswith("工作台"), who
        assert page.locator(panel).count() >= 1, who
        _check(page, 360)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.reload()
        _check(page, 1280)


@pytest.mark.django_db(transaction=True)
def test_every_roles_workbench_in_elder_mode_on_a_phone_and_a_desktop(page, live_server, world):
    """Elder mode (larger type, larger targets) for each role, as its account chose it."""
    for who, user_of, panel in ROLES:
        user = user_of(world)
        user.elder_mode = True
        user.save(update_fields=["elder_mode"])
        page.context.clear_cookies()
        page.set_viewport_size({"width": 360, "height": 740})
        log_in(page, live_server, user.username)
        assert page.evaluate("document.documentElement.classList.contains('elder')"), who
        assert page.locator(panel).count() >= 1, who
        _check(page, 360)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.reload()
        _check(page, 1280)


@pytest.mark.django_db(transaction=True)
def test_the_villagers_workbench_in_elder_mode(page, live_server, world):
    a = world.a
    log_in(page, live_server, a.villager.username)
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    assert page.url == f"{live_server.url}/"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > normal
    assert a.head.name in page.inner_text("main .home")
    _check(page, 360)
    # chosen once, kept: the next login lands in elder mode
    page.context.clear_cookies()
    log_in(page, live_server, a.villager.username)
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    _check(page, 360)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    _check(page, 1280)


@pytest.mark.django_db(transaction=True)
def test_a_cadres_workbench_in_elder_mode_draws_the_chart(page, live_server, world):
    from xiangzhi.grid.workbench import echarts_url

    if not echarts_url():
        pytest.skip("ECharts 未安装（set-up 没有 npm）：图表以表格显示")
    log_in(page, live_server, world.chief.username)
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    chart = page.locator(".chart").first
    chart.wait_for(state="visible")  # ECharts loaded from this server and drew it
    assert page.locator(".chart canvas").count() >= 1
    assert page.evaluate("typeof window.echarts") == "object"
    _check(page, 360)
    # the figures are also a table, for screen readers and for printing
    page.get_by_text("查看数据表").first.click()
    assert "甲村" in page.inner_text(".chart-table")
    _check(page, 360)


@pytest.mark.django_db(transaction=True)
def test_a_grid_worker_taps_a_household_and_the_group_links_open_lists(page, live_server, world):
    a = world.a
    log_in(page, live_server, a.worker.username)
    call = page.get_by_role("button", name=f"拨打 {a.head.name}")
    assert call.is_visible()
    box = call.bounding_box()
    assert box["height"] >= 44
    page.get_by_role("link", name=f"{a.head.name}户").first.click()
    page.wait_for_url(f"**/people/households/{a.household.pk}/")
    _check(page, 360)
