"""A villager raises an appeal from their phone in elder mode in three taps (the button, the
text box, 提交), with a photo; the pages pass axe-core and never scroll sideways."""

from __future__ import annotations

import pytest

from tests.conftest import PNG
from xiangzhi.appeals.models import Appeal

from .support import BROWSER, axe_check, log_in, no_horizontal_scroll

pytestmark = BROWSER


@pytest.mark.django_db(transaction=True)
def test_a_villager_raises_an_appeal_in_three_taps_in_elder_mode(
    page, live_server, world, tmp_path
):
    user = world.a.villager
    user.elder_mode = True
    user.save(update_fields=["elder_mode"])
    log_in(page, live_server, user.username)
    page.click("text=我要说事")  # 1
    axe_check(page)
    no_horizontal_scroll(page)
    page.click("#id_text")  # 2: the keyboard's voice input speaks into it
    page.keyboard.type("村口的路灯坏了好几天")
    photo = tmp_path / "路灯.png"
    photo.write_bytes(PNG)
    page.set_input_files("#id_photos", str(photo))
    page.click("button.big-action")  # 3
    page.wait_for_url(lambda url: "/appeals/new/" not in url)
    appeal = Appeal.objects.get(text="村口的路灯坏了好几天")
    assert appeal.household == world.a.household and appeal.photos.count() == 1
    assert appeal.number in page.inner_text("h1")
    axe_check(page)
    no_horizontal_scroll(page)


@pytest.mark.django_db(transaction=True)
def test_a_cadre_handles_an_appeal_on_a_phone_and_a_desktop(page, live_server, world):
    log_in(page, live_server, world.a.cadre.username)
    page.goto(f"{live_server.url}/appeals/{world.a.appeal.pk}/")
    axe_check(page)
    no_horizontal_scroll(page)
    page.click("details.step[open] button[type=submit]")  # 受理, the first step offered
    page.wait_for_load_state()
    assert Appeal.objects.get(pk=world.a.appeal.pk).state == "accepted"
    for url in ("/appeals/", "/appeals/overdue/", "/appeals/satisfaction/", "/appeals/record/"):
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(f"{live_server.url}{url}")
        axe_check(page)
        no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.reload()
        axe_check(page)
