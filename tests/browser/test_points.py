"""The villager's points pages on a phone in elder mode, and the cadre's review on a desktop:
the three taps work, axe-core finds nothing, nothing scrolls sideways."""

from __future__ import annotations

import pytest
from django.utils import timezone

from xiangzhi.points.models import PointClaim
from xiangzhi.points.services.claims import claim_approve, claim_record
from xiangzhi.points.services.rules import rule_create

from .support import BROWSER, axe_check, log_in, no_horizontal_scroll

pytestmark = BROWSER


@pytest.mark.django_db(transaction=True)
def test_a_villager_applies_in_three_taps_on_a_phone_in_elder_mode(page, live_server, world):
    a = world.a
    rule = rule_create(actor=a.secretary, node=a.node, title="甲村庭院整洁", points=5)
    shown = claim_record(
        actor=a.sibling_worker,
        household=a.other_household,
        rule=rule,
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=a.cadre, claim=shown)
    a.villager.elder_mode = True
    a.villager.save(update_fields=["elder_mode"])
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, a.villager.username)
    page.goto(f"{live_server.url}/points/apply/")
    axe_check(page)
    no_horizontal_scroll(page, 360)
    page.click("text=甲村庭院整洁")  # tap 1
    axe_check(page)
    no_horizontal_scroll(page, 360)
    page.click("button.big-submit")  # tap 3 (tap 2, a photo or a note, is optional)
    page.wait_for_selector(".messages")
    assert PointClaim.objects.filter(household=a.household, rule_version__rule=rule).exists()
    page.goto(f"{live_server.url}/points/notices/")
    assert "甲村庭院整洁" in page.inner_text("main")
    axe_check(page)
    no_horizontal_scroll(page, 360)
    page.click("text=我有异议")
    axe_check(page)
    no_horizontal_scroll(page, 360)


@pytest.mark.django_db(transaction=True)
def test_a_cadre_reviews_on_a_desktop(page, live_server, world):
    a = world.a
    claim = PointClaim.objects.filter(household=a.household).first()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, a.cadre.username)
    for url in (
        "/points/claims/",
        f"/points/claims/{claim.pk}/",
        "/points/rules/",
        "/points/ledger/",
    ):
        page.goto(f"{live_server.url}{url}")
        axe_check(page)
        no_horizontal_scroll(page, 1280)
    page.goto(f"{live_server.url}/points/claims/{claim.pk}/")
    page.check("input[value=approve]")
    page.click("text=提交审核结果")
    page.wait_for_selector(".messages")
    claim.refresh_from_db()
    assert claim.status == PointClaim.Status.ON_NOTICE
