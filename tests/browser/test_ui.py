"""End to end in Debian's chromium: log in, turn elder mode on, check the computed sizes, and
find no axe-core violations on the login page, the workbench and the household pages. Skipped,
with the reason, where chromium is not installed."""

from __future__ import annotations

import pytest

from .support import BROWSER, axe_check, no_horizontal_scroll

pytestmark = BROWSER


def _axe(page):
    axe_check(page)


def _no_horizontal_scroll(page):
    no_horizontal_scroll(page)


def _log_in_as_cadre(page, live_server, world):
    """Log in as village 甲's cadre through the login form; lands on their workbench (工作台)."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", world.a.cadre.username)
    page.fill("#id_password", "correct-horse-9")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.django_db(transaction=True)
def test_login_elder_mode_and_accessibility(page, live_server, world):
    page.goto(f"{live_server.url}/login/")
    _axe(page)
    _no_horizontal_scroll(page)
    page.fill("#id_username", world.a.cadre.username)
    page.fill("#id_password", "correct-horse-9")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert "工作台" in page.inner_text("h1")
    assert "甲村" in page.inner_text("main")  # the village's figures
    _axe(page)
    _no_horizontal_scroll(page)
    # Keyboard: the first Tab reaches the skip link, Enter jumps to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert size >= 18 and size > normal
    assert line / size >= 1.3
    box = page.locator("#elder-toggle").bounding_box()
    assert box["width"] >= 60 and box["height"] >= 60
    _axe(page)

    # Remembered: a new page load (and the household page) is still in elder mode.
    page.goto(f"{live_server.url}/people/households/{world.a.household.pk}/")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert world.a.marker_name in page.inner_text("h1")  # 甲独一鸣户 a-001
    # A cadre's long navigation is folded under 菜单 on the phone: the page starts on screen.
    header = page.locator("header.top").bounding_box()
    assert header["height"] <= 740 / 3, header
    assert page.locator("header nav:visible").count() == 0
    page.click("header details.nav-narrow > summary")
    for selector in ["main a.btn", "#elder-toggle", "header nav:visible a"]:
        b = page.locator(selector).first.bounding_box()
        assert b["height"] >= 60, selector
    _axe(page)
    _no_horizontal_scroll(page)
    # Elder mode's other taps: each file picker and the workbench panels' links.
    page.goto(f"{live_server.url}/points/claims/new/")
    picker = page.locator("main input[type=file]").first.bounding_box()
    assert picker["height"] >= 60, picker
    page.goto(f"{live_server.url}/")
    link = page.locator("main .links a").first.bounding_box()
    assert link["height"] >= 60, link


@pytest.mark.django_db(transaction=True)
def test_desktop_household_list_is_accessible(page, live_server, world):
    page.set_viewport_size({"width": 1280, "height": 800})
    _log_in_as_cadre(page, live_server, world)
    page.goto(f"{live_server.url}/people/households/?q=jdym")
    assert world.a.marker_address in page.inner_text("main")
    _axe(page)


@pytest.mark.django_db(transaction=True)
def test_import_page_is_accessible(page, live_server, world):
    _log_in_as_cadre(page, live_server, world)
    page.goto(f"{live_server.url}/sheets/import/")
    # Kinds of several apps share the page (the test suite's own app adds one): 导入表格.
    assert page.inner_text("h1") == "导入表格"
    assert "居民花名册（每人一行）" in page.inner_text("main")
    _axe(page)
    _no_horizontal_scroll(page)


@pytest.mark.django_db(transaction=True)
def test_an_import_with_many_errors_reads_well_on_a_phone(page, live_server, world):
    from xiangzhi.core.models import ImportJob

    errors = [
        {"row": i + 3, "column": "所属网格", "message": f"找不到网格“甲村/第{i}支部”"}
        for i in range(260)
    ]
    job = ImportJob.objects.create(
        created_by=world.a.cadre,
        kind="residents",
        file_name="甲村花名册.xlsx",
        stored_as="",
        status="done",
        report={"created": 0, "updated": 0, "unchanged": 0, "errors": errors, "rows": 260},
    )
    _log_in_as_cadre(page, live_server, world)
    page.goto(f"{live_server.url}/sheets/import/jobs/{job.pk}/")
    assert "共 260 条错误" in page.inner_text("#errors-cut")
    assert page.locator("tbody tr").count() == 200
    _axe(page)
    _no_horizontal_scroll(page)


@pytest.mark.django_db(transaction=True)
def test_a_head_change_on_a_phone(page, live_server, world):
    """户主变更 at 360px: choose the new head, check the suggested relations, save."""
    from xiangzhi.people.models import Household, Resident

    a = world.a
    _log_in_as_cadre(page, live_server, world)
    page.goto(f"{live_server.url}/people/residents/{a.child.pk}/")
    page.get_by_role("link", name="改为户主").click()
    page.wait_for_url("**/head/?new_head=*")
    select = page.get_by_label(f"{a.head.name}（男，1970年生）是新户主的")
    assert select.input_value() == "parent"  # the old head is the new head's parent
    _axe(page)
    _no_horizontal_scroll(page)
    page.fill("#id_note", "老户主年事已高")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/people/households/{a.household.pk}/")
    assert "户主已变更为" in page.inner_text("main")
    assert Household.objects.get(pk=a.household.pk).head_id == a.child.pk
    assert Resident.objects.get(pk=a.head.pk).relation == "parent"


@pytest.mark.django_db(transaction=True)
def test_the_change_ledger_on_a_phone(page, live_server, world):
    """人口变动台账 at 360px: this month's changes, axe-clean, no sideways scroll."""
    from django.utils import timezone

    from xiangzhi.people.services import ResidentData, resident_add

    a = world.a
    resident_add(
        actor=a.cadre,
        household=a.household,
        kind="birth",
        occurred_on=timezone.localdate(),
        data=ResidentData(
            name="甲新生",
            birth_date=timezone.localdate(),
            gender="F",
            relation="grandchild",
        ),
    )
    _log_in_as_cadre(page, live_server, world)
    page.goto(f"{live_server.url}/people/households/")
    page.get_by_role("link", name="人口变动台账").click()
    page.get_by_role("link", name="本月").click()
    page.wait_for_url("**/changes/?since=*")
    main = page.inner_text("main")
    assert "甲新生" in main and a.child.name not in main  # born in 2015: not this month
    _axe(page)
    _no_horizontal_scroll(page)


@pytest.mark.django_db(transaction=True)
def test_account_safety_pages_on_a_phone_in_elder_mode(page, live_server, world):
    """我的 (log out everywhere), 修改密码, the audit page's new filter and the address-lock page,
    on a 360px phone in elder mode: axe-clean, no sideways scroll, no code shown."""
    page.set_viewport_size({"width": 360, "height": 740})
    _log_in_as_cadre(page, live_server, world)
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    page.goto(f"{live_server.url}/accounts/me/")
    assert "退出其他所有设备" in page.inner_text("main")
    _axe(page)
    _no_horizontal_scroll(page)
    page.click("text=修改密码")
    page.wait_for_url("**/accounts/me/password/")
    page.fill("#id_old_password", "not-it")
    page.fill("#id_new_password1", "Qingshan-2026-x")
    page.fill("#id_new_password2", "Qingshan-2026-x")
    page.click("main button[type=submit]")
    assert "旧密码" in page.inner_text("main")
    _axe(page)
    _no_horizontal_scroll(page)
    page.goto(f"{live_server.url}/accounts/me/")
    page.click("text=退出其他所有设备")
    assert "已退出其他所有设备" in page.inner_text("main")


@pytest.mark.django_db(transaction=True)
def test_the_audit_page_reads_in_chinese_on_a_phone(page, live_server, world):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", world.chief.username)
    page.fill("#id_password", "correct-horse-9")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/core/audit/?action=people.")
    text = page.inner_text("main")
    assert "登记新户" in text and "people." not in text
    _axe(page)
    _no_horizontal_scroll(page)


@pytest.mark.django_db(transaction=True)
def test_a_phone_held_sideways_folds_the_navigation_too(page, live_server, world):
    page.set_viewport_size({"width": 844, "height": 390})
    _log_in_as_cadre(page, live_server, world)
    assert page.locator("header nav:visible").count() == 0
    assert page.locator("header.top").bounding_box()["height"] <= 390 / 3
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.locator("header nav:visible").count() == 1  # a desktop's stays open
