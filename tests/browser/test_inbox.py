"""The inbox (消息) on a villager's phone in elder mode, and the superuser's dead-letter page:
axe-core clean, no sideways scroll, the badge counts down as messages are opened."""

from __future__ import annotations

import pytest

from xiangzhi.core.models import Notification, WebhookDelivery, WebhookEndpoint

from .support import BROWSER, axe_check, log_in, no_horizontal_scroll

pytestmark = BROWSER


@pytest.mark.django_db(transaction=True)
def test_a_villager_reads_their_messages_on_a_phone_in_elder_mode(page, live_server, world):
    villager = world.a.villager
    villager.elder_mode = True
    villager.save(update_fields=["elder_mode"])
    Notification.objects.create(
        recipient=villager,
        title="您的诉求已办结，请评价",
        body="村里已经把路灯修好了。\n请在“我的诉求”里给这次办理打分。",
        link="/",
    )
    Notification.objects.create(recipient=villager, title="积分已到账")
    log_in(page, live_server, villager.username)
    assert page.locator("header .inbox-link .count").inner_text() == "2"
    page.click("header .inbox-link")
    assert page.inner_text("h1") == "消息"
    axe_check(page)
    no_horizontal_scroll(page, 360)

    page.click("ul.inbox button[name=open]")  # opens the message's page and marks it read
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("header .inbox-link .count").inner_text() == "1"
    page.goto(f"{live_server.url}/inbox/")
    page.click('form.actions button:has-text("全部标记为已读")')
    assert page.locator("header .inbox-link .count").count() == 0
    assert page.locator("ul.inbox li.unread").count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_dead_letter_page_on_a_desktop(page, live_server, world):
    endpoint = WebhookEndpoint.objects.create(
        name="全镇工作群", url="http://127.0.0.1:9/hook", format="wecom"
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="appeals.appeal_overdue",
        title="诉求已超期",
        node_name="甲村",
        status=WebhookDelivery.Status.DEAD,
        attempts=5,
        last_status_code=500,
        last_error="HTTP 500",
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, world.admin.username)
    page.goto(f"{live_server.url}/core/webhooks/failed/")
    assert "诉求已超期" in page.inner_text("main")
    axe_check(page)
    page.set_viewport_size({"width": 360, "height": 740})
    no_horizontal_scroll(page, 360)
