"""The points pages in a browser: a villager's own points and the village board on a 360px phone
in elder mode, and a cadre's counter redemption, each with no axe-core violations."""

from __future__ import annotations

import pytest

from xiangzhi.points.models import PointRedemption
from xiangzhi.points.services import account_for, entry_post

from .support import BROWSER, axe_check, log_in, no_horizontal_scroll

pytestmark = BROWSER


def _elder_mode_on(page) -> None:
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")


def _earn(world, points: int) -> None:
    account = account_for(household=world.a.household)
    entry_post(
        actor=world.a.cadre, account=account, amount=points, reason="甲村庭院整洁", source="claim"
    )


@pytest.mark.django_db(transaction=True)
def test_a_villager_reads_their_points_and_the_board_in_elder_mode_on_a_phone(
    page, live_server, world
):
    _earn(world, 60)
    log_in(page, live_server, world.a.villager.username)
    _elder_mode_on(page)
    page.goto(f"{live_server.url}/points/mine/")
    main = page.inner_text("main")
    assert "甲村庭院整洁" in main and "甲村食用油" in main
    no_horizontal_scroll(page)
    axe_check(page)
    page.goto(f"{live_server.url}/points/board/")
    assert "红榜" in page.inner_text("main")
    no_horizontal_scroll(page)
    axe_check(page)


@pytest.mark.django_db(transaction=True)
def test_a_cadre_redeems_at_the_counter_and_gets_the_receipt(page, live_server, world):
    _earn(world, 60)
    log_in(page, live_server, world.a.cadre.username)
    page.goto(f"{live_server.url}/points/store/counter/?q={world.a.household.number}")
    page.click(f"a[href='/points/store/counter/{world.a.household.pk}/']")
    page.select_option("#id_reward", label="甲村食用油（5分，库存9）")
    page.click("main button[type=submit]")
    page.wait_for_url("**/points/store/redemptions/*/")
    assert "积分兑换凭证" in page.inner_text("main")
    assert PointRedemption.objects.filter(household=world.a.household).count() == 2
    no_horizontal_scroll(page)
    axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/points/store/")
    axe_check(page)
