"""The registry pages issue 12 changed, in Debian's chromium at 360px (and elder mode): the
household page with its title and ages, the lowest grid's households, the move-out and death
forms, the upload page's grid paths and the change ledger. No axe-core violations, no
horizontal scroll."""

from __future__ import annotations

import pytest

from .support import BROWSER, axe_check, log_in, no_horizontal_scroll

pytestmark = BROWSER


def _check(page, width: int = 360):
    axe_check(page)
    no_horizontal_scroll(page, width)


@pytest.mark.django_db(transaction=True)
def test_the_registry_pages_on_a_phone_and_in_elder_mode(page, live_server, world):
    a = world.a
    log_in(page, live_server, a.cadre.username)
    page.goto(f"{live_server.url}/people/households/{a.household.pk}/")
    assert page.inner_text("h1").startswith(f"{a.marker_name}户 a-001")
    assert "岁" in page.inner_text("main")
    _check(page)
    page.goto(f"{live_server.url}/grid/nodes/{a.grid.pk}/")
    assert "本网格的户" in page.inner_text("main") and a.marker_name in page.inner_text("main")
    _check(page)
    page.goto(f"{live_server.url}/people/residents/{a.child.pk}/move-out/")
    assert page.locator("#id_destination").count() == 1 and page.locator("#id_reason").count() == 1
    _check(page)
    page.goto(f"{live_server.url}/people/residents/{a.other_head.pk}/death/")
    assert page.locator("#id_destination").count() == 0
    _check(page)
    page.goto(f"{live_server.url}/sheets/import/")
    page.click("#grid-paths summary")
    assert "甲村/甲村第一党支部" in page.inner_text("#grid-paths")
    _check(page)
    page.goto(f"{live_server.url}/people/changes/")
    assert page.input_value("#since").endswith("-01")
    _check(page)
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    for url in (
        f"/people/households/{a.household.pk}/",
        f"/grid/nodes/{a.grid.pk}/",
        f"/people/residents/{a.child.pk}/move-out/",
        "/sheets/import/",
    ):
        page.goto(f"{live_server.url}{url}")
        assert page.locator("html.elder").count() == 1
        _check(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/people/households/{a.household.pk}/")
    _check(page, 1280)
