"""What every browser test file shares besides the `page` fixture (in conftest.py): the chromium
path, the marks that skip a file where chromium is missing (`pytestmark = BROWSER`), axe-core,
the 360px width check and logging in through the form."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
)


def _on_sqlite() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


# What the browser tests check is the page: its layout at 360px, elder mode, axe-core, the taps.
# They run in the SQLite pass (the database of `make demo`); the PostgreSQL pass runs every
# other test, the same views through Django's test client among them. Each browser test builds
# its own world on a live server and empties the tables after it: about five minutes of a CI run.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium 未安装：跳过浏览器测试 (apt-get install -y chromium)"
    ),
    pytest.mark.skipif(
        not _on_sqlite(), reason="浏览器测试只在 SQLite 一轮运行：它们检查的是页面，与数据库无关"
    ),
]
PASSWORD = "correct-horse-9"  # every account of the world fixture


def axe_check(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def no_horizontal_scroll(page, width: int = 360):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll}px wide on a {width}px screen"


def log_in(page, live_server, username: str, password: str = PASSWORD):
    """Log in through the login form and wait until the login page is left."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def nav_click(page, text: str):
    """Follow a main-navigation entry as a user would: on a phone, through 菜单 when folded."""
    menu = page.locator("header details.nav-narrow")
    if menu.is_visible() and menu.get_attribute("open") is None:
        page.click("header details.nav-narrow > summary")
    page.locator("header nav:visible").get_by_role("link", name=text, exact=True).click()
