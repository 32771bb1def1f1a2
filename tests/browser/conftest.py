"""The `page` fixture of the browser tests: a headless Debian chromium on a 360px phone."""

from __future__ import annotations

import pytest

from .support import CHROMIUM


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API runs an event loop; only for this test, so that no later subprocess
    # (the deploy check) inherits it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(15000)
        yield pg
        browser.close()
