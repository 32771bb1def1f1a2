"""End to end in Debian's chromium: a villager asks for a menu service on a 360px phone in elder
mode; a cadre's petition page with its countdown and the dispute and menu lists on a phone and
a desktop; no axe-core violations."""

from __future__ import annotations

import pytest

from xiangzhi.appeals.models import Dispute, Petition, ServiceOffering
from xiangzhi.appeals.services.menu import service_offering_publish

from .support import BROWSER, axe_check, log_in, no_horizontal_scroll

pytestmark = BROWSER


def _check(page, width: int) -> None:
    axe_check(page)
    no_horizontal_scroll(page, width)


@pytest.mark.django_db(transaction=True)
def test_a_villager_asks_for_a_service_on_a_phone_in_elder_mode(page, live_server, world):
    offering = service_offering_publish(
        actor=world.a.cadre, node=world.a.node, name="甲村接送就医", category="medical_ride"
    )
    log_in(page, live_server, world.a.villager.username)
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    page.goto(f"{live_server.url}/appeals/menu/")
    _check(page, 360)
    page.click("text=甲村接送就医")  # tap 1
    page.wait_for_url(f"**/appeals/menu/{offering.pk}/")
    _check(page, 360)
    page.click("main button.big-action")  # tap 2
    page.wait_for_url("**/appeals/*/")
    assert "甲村接送就医" in page.inner_text("main")
    _check(page, 360)
    assert ServiceOffering.objects.get(pk=offering.pk).requests.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_cadres_petition_dispute_and_menu_pages(page, live_server, world):
    log_in(page, live_server, world.a.cadre.username)
    petition = Petition.objects.get(subject="甲村征地补偿")
    dispute = Dispute.objects.get(title="甲村水沟纠纷")
    for url in (
        "/appeals/petitions/",
        f"/appeals/petitions/{petition.pk}/",
        "/appeals/disputes/",
        f"/appeals/disputes/{dispute.pk}/",
        "/appeals/menu/",
        "/appeals/petitions/new/",
    ):
        page.goto(f"{live_server.url}{url}")
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            _check(page, width)
    page.goto(f"{live_server.url}/appeals/petitions/{petition.pk}/")
    assert "还剩13天" in page.inner_text("main")
