"""End to end in Debian's chromium: a member records what they did on their post on a 360px phone
in elder mode; a cadre records a meeting's attendance and a hamlet talk's opinion on a desktop;
the township's overdue page; every page with no axe-core violations."""

from __future__ import annotations

import datetime as dt

import pytest

from xiangzhi.party.models import Meeting, PostEntry
from xiangzhi.party.services import meeting_plan

from .support import BROWSER, axe_check, log_in, nav_click, no_horizontal_scroll

pytestmark = BROWSER


def _check(page, width: int) -> None:
    axe_check(page)
    no_horizontal_scroll(page, width)


@pytest.mark.django_db(transaction=True)
def test_a_member_records_their_post_work_on_a_phone_in_elder_mode(page, live_server, world):
    log_in(page, live_server, world.a.member_user.username)
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    nav_click(page, "我的党务")
    page.wait_for_url("**/party/my/")
    assert "甲村政策宣传岗" in page.inner_text("main")
    _check(page, 360)
    page.fill("#id_content", "甲村帮独居老人买药")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/party/my/")
    assert "履职情况已记录" in page.inner_text("main")
    assert PostEntry.objects.filter(content="甲村帮独居老人买药").exists()
    _check(page, 360)


@pytest.mark.django_db(transaction=True)
def test_a_cadre_records_a_meeting_and_an_opinion_on_a_desktop(page, live_server, world):
    a = world.a
    meeting = meeting_plan(
        actor=a.cadre, organisation=a.branch, kind="theme_day", planned_on=dt.date(2026, 1, 10)
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, a.cadre.username)
    page.goto(f"{live_server.url}/party/meetings/")
    _check(page, 1280)
    page.goto(f"{live_server.url}/party/meetings/{meeting.pk}/")
    _check(page, 1280)
    page.fill("#id_topic", "甲村重温入党誓词")
    page.fill("#id_host", "甲村书记")
    page.select_option(f"#status_{a.party_member.pk}", "leave")
    page.fill(f"#reason_{a.party_member.pk}", "外出务工")
    page.click("text=保存会议记录")
    page.wait_for_selector("text=会议情况已记录")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.attendances.get().reason == "外出务工"
    _check(page, 1280)
    for path in ("/party/meetings/overdue/", "/party/posts/", "/party/talks/", "/party/opinions/"):
        page.goto(live_server.url + path)
        _check(page, 1280)
    page.click("main table a")  # the open opinions page, last above: its talk
    _check(page, 1280)
    page.select_option("main form.filters select[name=outcome]", "answered")
    page.fill("main form.filters input[name=note]", "已报修，下周修好")
    page.click("main form.filters button[type=submit]")
    page.wait_for_selector("text=意见处理结果已保存")
    _check(page, 1280)
    page.set_viewport_size({"width": 360, "height": 740})
    _check(page, 360)


@pytest.mark.django_db(transaction=True)
def test_the_cadres_form_pages_read_well_on_a_phone_and_a_desktop(page, live_server, world):
    """Every form page of party work a cadre opens: no axe-core violation, no sideways scroll."""
    from django.urls import reverse

    from xiangzhi.party.models import Post, TalkOpinion
    from xiangzhi.party.services import opinion_resolve

    a = world.a
    opinion = TalkOpinion.objects.get(content="甲村路灯不亮")
    opinion_resolve(actor=a.cadre, opinion=opinion, outcome="village_matter")
    paths = [
        reverse("party:contact_settings", args=[world.township.pk]),
        reverse("party:contact_group", args=[a.node.pk]),
        reverse("party:contact_link_new", args=[a.household.pk]),
        reverse("party:talk_create"),
        reverse("party:meeting_create"),
        reverse("party:members_without_posts"),
        reverse(
            "party:post_detail", args=[Post.objects.filter(name__startswith="甲村").first().pk]
        ),
        reverse("party:transfer_out", args=[a.party_member.pk]),
        reverse("party:opinion_take", args=[opinion.pk]),
    ]
    for user, allowed in ((world.chief, paths[:1]), (a.cadre, paths[1:])):
        log_in(page, live_server, user.username)
        for path in allowed:
            page.goto(f"{live_server.url}{path}")
            assert page.locator("main h1").count() == 1, path
            for width in (1280, 360):
                page.set_viewport_size({"width": width, "height": 800})
                _check(page, width)
        page.context.clear_cookies()
