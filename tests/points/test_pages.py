"""The points pages: the villager's three taps, review, notices and objections, for every actor."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xiangzhi.core import figures
from xiangzhi.points.models import PointClaim, PointEntry, PointObjection
from xiangzhi.points.services.claims import claim_approve, claim_record

from .helpers import end_notice, village_rule

S = PointClaim.Status


def test_a_villager_applies_in_three_taps_in_elder_mode(client, world):
    rule = village_rule(world, title="甲村庭院整洁")
    client.force_login(world.a.villager)
    client.post("/accounts/elder-mode/", {"enabled": "1", "next": "/"})
    page = client.get("/points/apply/").content.decode()  # the list of rules
    assert "甲村庭院整洁" in page and f"?rule={rule.pk}" in page  # tap 1
    form = client.get(f"/points/apply/?rule={rule.pk}").content.decode()
    assert "第三步：提交申报" in form and 'name="photos"' in form  # tap 2 is optional
    photo = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0" + bytes(32))
    r = client.post("/points/apply/", {"rule": rule.pk, "note": "", "photos": [photo]})  # tap 3
    assert r.status_code == 302
    claim = PointClaim.objects.get(rule_version__rule=rule)
    assert claim.household == world.a.household and claim.channel == "self"
    assert claim.photos.count() == 1


def test_a_villager_cannot_apply_under_a_rule_of_another_village(client, world):
    rule = village_rule(world, v="b")
    client.force_login(world.a.villager)
    r = client.post("/points/apply/", {"rule": rule.pk, "note": "甲村"})
    assert r.status_code == 200 and "乙村" not in r.content.decode()  # the list again
    assert not PointClaim.objects.filter(rule_version__rule=rule).exists()


def _recorded(world):
    return claim_record(
        actor=world.a.worker,
        household=world.a.household,
        rule=village_rule(world),
        occurred_on=timezone.localdate(),
        note="甲村打扫",
    )


@pytest.mark.parametrize(
    "who,status",
    [
        ("cadre", 302),
        ("secretary", 302),
        ("worker", 400),  # the recorder: the page says no one approves their own record
        ("auditor", 403),
        ("group_leader", 403),
        ("villager", 403),
        ("member_user", 404),
        ("b.cadre", 404),
    ],
)
def test_the_review_page_authorization_matrix(client, world, who, status):
    claim = _recorded(world)
    user = getattr(world.b, who[2:]) if who.startswith("b.") else getattr(world.a, who)
    client.force_login(user)
    r = client.post(f"/points/claims/{claim.pk}/review/", {"decision": "approve", "note": ""})
    claim.refresh_from_db()
    if status == 400:  # the worker may write there, but not review their own record
        assert r.status_code in (400, 403)
    else:
        assert r.status_code == status
    assert (claim.status == S.ON_NOTICE) == (status == 302)


def test_villagers_of_the_village_see_the_notice_and_object_and_others_do_not(client, world):
    claim = claim_record(
        actor=world.a.sibling_worker,
        household=world.a.other_household,
        rule=village_rule(world, title="甲村公示规则"),
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=world.a.cadre, claim=claim)
    client.force_login(world.b.villager)
    assert "甲村公示规则" not in client.get("/points/notices/").content.decode()
    r = client.post(f"/points/notices/{claim.pk}/object/", {"reason": "乙村反对"})
    assert r.status_code == 404
    client.force_login(world.a.villager)
    assert "甲村公示规则" in client.get("/points/notices/").content.decode()
    r = client.post(f"/points/notices/{claim.pk}/object/", {"reason": "他家没有做到"})
    assert r.status_code == 302
    claim.refresh_from_db()
    assert claim.status == S.SUBMITTED
    assert PointObjection.objects.get(claim=claim).reason == "他家没有做到"


def test_the_workbench_shows_claims_waiting_and_objections(client, world):
    _recorded(world)
    client.force_login(world.a.cadre)
    page = client.get("/").content.decode()
    assert "积分待审核" in page and "公示异议" in page  # the world's objection
    client.force_login(world.a.villager)
    page = client.get("/").content.decode()
    assert "我家的积分" in page and "积分待审核" not in page
    # the one points card shows the balance and the household's rank in the village this year
    assert "今年全村排名" in page and re.search(r"第 \d+ 名", page)


def test_a_cadre_reverses_an_entry_with_a_reason_and_a_worker_cannot(client, world):
    entry = PointEntry.objects.get(household=world.a.household, source="import")
    client.force_login(world.a.worker)
    assert (
        client.post(f"/points/entries/{entry.pk}/reverse/", {"reason": "错记"}).status_code == 403
    )
    client.force_login(world.a.cadre)
    r = client.post(f"/points/entries/{entry.pk}/reverse/", {"reason": "错记"})
    assert r.status_code == 302
    assert PointEntry.objects.get(reversal_of=entry).amount == -entry.amount


def test_the_ledger_page_queries_do_not_grow_with_rows(
    client, world, django_assert_max_num_queries
):
    from xiangzhi.points.services import account_for, entry_post

    client.force_login(world.a.cadre)
    account = account_for(household=world.a.household)

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/points/ledger/").status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first request after the login writes the session
    few = queries()
    for i in range(30):
        entry_post(
            actor=world.a.cadre, account=account, amount=1, reason=f"甲村{i}", source="claim"
        )
    assert queries() == few


def test_points_issued_and_households_taking_part_roll_up_the_grid(client, world):
    claim = claim_approve(actor=world.a.cadre, claim=_recorded(world))
    end_notice(claim)
    from xiangzhi.points.services.claims import claims_finalize_due

    claims_finalize_due()
    assert figures.verify() == []
    client.force_login(world.chief)
    r = client.get(f"/grid/nodes/{world.township.pk}/")
    counts = r.context["total"].counts
    # Each village's world entries (3 + 3), and the claim's 5 in 甲村, all this month; and what
    # the store's world records earned before spending it (5 + 3 a village, tests/store_world.py).
    assert counts["points_issued"] == 3 * 4 + 5 + 2 * (5 + 3)
    assert counts["point_households"] == 4
