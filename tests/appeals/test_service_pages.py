"""The pages of the service menu, disputes and petitions: each role's view, the villager's
request in two taps, the countdown, and list query counts that do not grow with rows."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiangzhi.accounts.models import Department
from xiangzhi.appeals.models import Appeal, Dispute, Petition, ServiceOffering
from xiangzhi.appeals.services import disputes, menu, petitions


def test_a_villager_sees_their_villages_menu_and_asks_in_two_taps(client, world):
    offering = menu.service_offering_publish(
        actor=world.a.cadre, node=world.a.node, name="甲村接送就医", category="medical_ride"
    )
    client.force_login(world.a.villager)
    page = client.get("/appeals/menu/").content.decode()
    assert "甲村接送就医" in page and "乙村代办医保" not in page
    assert "甲村代办医保" not in page  # the sibling grid's own offering is not this household's
    answer = client.post(f"/appeals/menu/{offering.pk}/request/", {"text": "周三去县医院"})
    appeal = Appeal.objects.get(menu_request__offering=offering)
    assert answer.status_code == 302 and answer["Location"] == f"/appeals/{appeal.pk}/"
    assert appeal.household == world.a.household and appeal.source == "service_menu"
    assert appeal.text == "【甲村接送就医】周三去县医院"


def test_a_villager_of_another_village_finds_no_offering(client, world):
    offering = ServiceOffering.objects.get(name="甲村代办医保")
    client.force_login(world.b.villager)
    assert client.get(f"/appeals/menu/{offering.pk}/").status_code == 404
    assert client.post(f"/appeals/menu/{offering.pk}/request/", {"text": "x"}).status_code == 404
    assert not Appeal.objects.filter(menu_request__offering=offering, household=world.b.household)


def test_a_cadre_publishes_an_offering_and_an_auditor_may_not(client, world):
    data = {"node": world.a.node.pk, "name": "甲村代购", "category": "shopping", "days": 2}
    client.force_login(world.a.auditor)
    assert client.post("/appeals/menu/new/", {**data, "active": "on"}).status_code == 403
    client.force_login(world.a.cadre)
    answer = client.post("/appeals/menu/new/", {**data, "active": "on"})
    assert answer.status_code == 302
    assert ServiceOffering.objects.get(name="甲村代购").node == world.a.node
    answer = client.post("/appeals/menu/new/", {**data, "active": "on"})
    assert "该网格已有同名的服务。" in answer.content.decode()


def test_the_petition_page_counts_down_to_the_legal_limit(client, world):
    p = petitions.petition_register(
        actor=world.a.cadre,
        node=world.a.grid,
        petitioner="甲某",
        channel="visit",
        subject="甲村山林权属",
        content="山林界址不清",
        department=Department.objects.get(code="petitions"),
        received_on=timezone.localdate() - dt.timedelta(days=5),
    )
    client.force_login(world.a.cadre)
    page = client.get(f"/appeals/petitions/{p.pk}/").content.decode()
    # 15 days from receipt, 5 gone; a last day on a rest day moves to the next working day.
    left = f"还剩{(p.decide_by - timezone.localdate()).days}天"
    assert p.decide_by >= timezone.localdate() + dt.timedelta(days=10) and left in page
    assert client.get("/appeals/petitions/").content.decode().count(left) == 1
    answer = client.post(
        f"/appeals/petitions/{p.pk}/accept/",
        {"accept-decided_on": timezone.localdate().isoformat(), "accept-note": ""},
    )
    assert answer.status_code == 302
    assert "还剩60天" in client.get(f"/appeals/petitions/{p.pk}/").content.decode()
    client.force_login(world.b.cadre)
    assert client.get(f"/appeals/petitions/{p.pk}/").status_code == 404


def test_a_dispute_is_mediated_from_its_page(client, world):
    d = Dispute.objects.get(title="甲村水沟纠纷")
    client.force_login(world.a.cadre)
    today = timezone.localdate().isoformat()
    answer = client.post(
        f"/appeals/disputes/{d.pk}/settle/",
        {"settle-agreement": "沟改到田边", "settle-agreed_on": today},
    )
    assert answer.status_code == 302
    d.refresh_from_db()
    assert d.state == Dispute.State.SETTLED
    client.force_login(world.a.group_leader)
    before = d.state
    answer = client.post(
        f"/appeals/disputes/{d.pk}/follow_up/",
        {"follow_up-follow_up": "好", "follow_up-followed_up_on": today},
    )
    assert answer.status_code == 403
    d.refresh_from_db()
    assert d.state == before


def _more(world, start, n):
    for i in range(start, start + n):
        menu.service_offering_publish(
            actor=world.a.cadre, node=world.a.node, name=f"甲村服务{i}", category="errand"
        )
        d = disputes.dispute_register(
            actor=world.a.cadre,
            node=world.a.grid,
            title=f"甲村纠纷{i}",
            category="other",
            description="经过",
            parties=[("甲一", None, ""), ("甲二", None, "")],
        )
        disputes.dispute_session_record(
            actor=world.a.cadre, dispute=d, held_on=d.registered_on, mediators="甲", notes="记"
        )
        petitions.petition_register(
            actor=world.a.cadre,
            node=world.a.grid,
            petitioner="甲某",
            channel="letter",
            subject=f"甲村事项{i}",
            content="内容",
            department=Department.objects.get(code="petitions"),
            received_on=timezone.localdate(),
        )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_lists_query_counts_do_not_grow_with_rows(client, world):
    client.force_login(world.a.cadre)
    urls = ["/appeals/menu/", "/appeals/disputes/", "/appeals/petitions/"]
    _more(world, 0, 2)
    client.get("/")  # the session's first request reads more (its refresh, the roles)
    few = [_queries(client, u) for u in urls]
    _more(world, 2, 12)
    many = [_queries(client, u) for u in urls]
    assert many == few
    assert Petition.objects.count() > 14
