"""The audit log in Debian's chromium: a township chief and a village auditor read it on a 360px
phone and a 1280px screen, in elder mode too, with choosers and no axe-core violations; a
village secretary finds no 审计 button and gets the Chinese refusal page."""

from __future__ import annotations

import pytest

from xiangzhi.core.audit import audit_record

from .support import BROWSER, axe_check, log_in, nav_click, no_horizontal_scroll

pytestmark = BROWSER


def _readable(page) -> str:
    text = page.inner_text("main")
    for code in ("people.", "household_", "{'", "None", "True"):
        assert code not in text, code
    return text


@pytest.mark.django_db(transaction=True)
def test_a_chief_reads_filters_and_opens_records_from_the_audit_log(page, live_server, world):
    audit_record(
        actor=world.a.cadre,
        action="people.resident_update",
        obj=world.a.child,
        changes={"relation": ["child", "head"], "phone": "13800001111"},
    )
    log_in(page, live_server, world.chief.username)
    nav_click(page, "审计日志")
    page.wait_for_url("**/core/audit/")
    text = _readable(page)
    assert "与户主关系：子女 → 户主" in text and "联系电话：（已隐藏）" in text
    assert "13800001111" not in page.content()
    axe_check(page)
    no_horizontal_scroll(page)

    # The choosers: a village from the node list, an action kind by its label.
    page.select_option("#id_node", label="\u3000甲村")
    page.select_option("#id_action", label="修改居民信息")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/core/audit/?*")
    text = _readable(page)
    assert "与户主关系" in text and "乙村" not in page.inner_text("table")
    axe_check(page)
    no_horizontal_scroll(page)

    # The record is a link that opens it.
    page.click(f"table a[href='/people/residents/{world.a.child.pk}/']")
    page.wait_for_url(f"**/people/residents/{world.a.child.pk}/")
    page.go_back()

    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    axe_check(page)
    no_horizontal_scroll(page, 1280)


@pytest.mark.django_db(transaction=True)
def test_an_auditor_reads_the_log_in_elder_mode(page, live_server, world):
    log_in(page, live_server, world.a.auditor.username)
    page.goto(f"{live_server.url}/core/audit/")
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    text = _readable(page)
    assert "登记新户" in text and "乙村" not in text
    axe_check(page)
    no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    axe_check(page)
    no_horizontal_scroll(page, 1280)


@pytest.mark.django_db(transaction=True)
def test_a_village_secretary_has_no_audit_button_and_a_chinese_refusal(page, live_server, world):
    log_in(page, live_server, world.a.secretary.username)
    page.goto(f"{live_server.url}/grid/nodes/{world.a.node.pk}/")
    assert page.locator("a[href^='/core/audit/']").count() == 0
    page.goto(f"{live_server.url}/core/audit/")
    assert "没有权限" in page.inner_text("h1")
    assert "Forbidden" not in page.content()
    axe_check(page)
    no_horizontal_scroll(page)
    page.click("main >> text=返回首页")
    page.wait_for_url(lambda url: "/core/audit/" not in url)
