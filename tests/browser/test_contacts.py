"""End to end in Debian's chromium: a party member records a visit on a 360px phone in elder
mode; the cadre's coverage, uncovered households, needs and ledger pages at 360 and 1280 px;
no axe-core violations anywhere."""

from __future__ import annotations

import pytest

from xiangzhi.party.models import Visit

from .support import BROWSER, axe_check, log_in, no_horizontal_scroll

pytestmark = BROWSER


def _check(page, width: int) -> None:
    axe_check(page)
    no_horizontal_scroll(page, width)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("visited_earlier")
def test_a_member_records_a_visit_on_a_phone_in_elder_mode(page, live_server, world):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, world.a.member_user.username)
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    page.goto(f"{live_server.url}/party/visits/mine/")
    assert world.a.household.address in page.inner_text("main")
    _check(page, 360)
    page.click(f"a[href='/party/households/{world.a.household.pk}/visit/']")
    _check(page, 360)
    page.fill("#id_met", "户主本人")
    page.fill("#id_learned", "家中一切都好")
    page.fill("#id_needs", "希望修缮水渠")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    page.set_input_files(
        "#id_photos",
        [{"name": f"{n}.png", "mimeType": "image/png", "buffer": png} for n in ("门前", "屋内")],
    )
    page.click("main form button[type=submit]")
    page.wait_for_url("**/party/visits/mine/")
    visit = Visit.objects.get(household=world.a.household, learned="家中一切都好")
    assert visit.photos.count() == 2
    _check(page, 360)


@pytest.mark.django_db(transaction=True)
def test_the_cadres_contact_pages_on_a_desktop_and_a_phone(page, live_server, world):
    log_in(page, live_server, world.a.cadre.username)
    node = world.a.node.pk
    for path in ("coverage/", "coverage/uncovered/", "needs/", "visits/"):
        page.goto(f"{live_server.url}/party/{path}?node={node}")
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 800})
            _check(page, width)
    page.goto(f"{live_server.url}/people/households/{world.a.household.pk}/")
    assert "信息台账" in page.inner_text("main")
    _check(page, 360)
    # The grid page's coverage columns, in elder mode on a phone.
    page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    page.goto(f"{live_server.url}/grid/nodes/{node}/")
    assert "逾期未走访户" in page.inner_text("main")
    _check(page, 360)
