"""What a hostile review of the points app found on 2026-12-03, each kept from coming back."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from tests.xlsx_helpers import make_sheet
from xiangzhi.core.models import AuditEvent
from xiangzhi.people.models import Resident
from xiangzhi.points.models import PointAccount, PointClaim, PointEntry
from xiangzhi.points.selectors.board import current_periods, red_list
from xiangzhi.points.services.claims import (
    claim_approve,
    claim_finalize,
    claim_record,
    claims_finalize_due,
)
from xiangzhi.points.services.ledger import account_for, entry_post, entry_reverse
from xiangzhi.points.services.rules import policy_set
from xiangzhi.points.services.store import board_setting_update

from .helpers import end_notice, village_rule

pytestmark = pytest.mark.django_db
S = PointClaim.Status


def _balance(household) -> int:
    return PointAccount.objects.get(household=household, resident=None).balance


def test_a_deduction_the_balance_cannot_bear_is_refused_at_review(world):
    policy_set(actor=world.chief, node=world.township, min_balance=0)
    fine = village_rule(world, title="乱倒垃圾", points=-5, cap_points=None)
    assert _balance(world.a.household) == 3
    claim = claim_record(
        actor=world.a.worker, household=world.a.household, rule=fine, occurred_on=dt.date.today()
    )
    with pytest.raises(ValidationError, match="余额不足"):
        claim_approve(actor=world.a.cadre, claim=claim)
    claim.refresh_from_db()
    assert claim.status == S.SUBMITTED


def test_a_deduction_that_can_no_longer_be_borne_goes_back_to_review_and_blocks_nothing(world):
    policy_set(actor=world.chief, node=world.township, min_balance=0)
    fine = village_rule(world, title="乱倒垃圾", points=-3, cap_points=None)
    good = village_rule(world, title="清扫", points=5)
    today = timezone.localdate()
    bad = claim_record(
        actor=world.a.worker, household=world.a.household, rule=fine, occurred_on=today
    )
    claim_approve(actor=world.a.cadre, claim=bad)  # balance 3: it can bear it today
    # ... but the household spends a point during the notice.
    entry_post(
        actor=world.a.cadre,
        account=account_for(household=world.a.household),
        amount=-1,
        reason="兑换香皂",
        source=PointEntry.Source.REDEMPTION,
    )
    end_notice(bad)
    ok = claim_record(
        actor=world.a.sibling_worker,
        household=world.a.other_household,
        rule=good,
        occurred_on=today,
    )
    claim_approve(actor=world.a.cadre, claim=ok)
    end_notice(ok)

    assert claims_finalize_due() == 1  # the claim due after the bad one is final
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert ok.status == S.FINAL
    assert bad.status == S.SUBMITTED and bad.notice_until is None
    assert "已退回审核" in bad.review_note and "余额不足" in bad.review_note
    assert AuditEvent.objects.filter(action="points.claim_return", object_id=str(bad.pk)).exists()
    assert _balance(world.a.household) == 2  # nothing deducted
    assert claim_finalize(actor=None, claim=bad) is None  # not on notice: left as it is


def test_the_objection_form_names_the_household_as_the_notice_list_does(client, world):
    board_setting_update(
        actor=world.a.cadre, node=world.a.node, name_display="number", show_deductions=False
    )
    claim = claim_record(
        actor=world.a.sibling_worker,
        household=world.a.other_household,
        rule=village_rule(world),
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=world.a.cadre, claim=claim)
    client.force_login(world.a.villager)
    name = world.a.other_household.head.name
    assert name not in client.get("/points/notices/").content.decode()
    form = client.get(f"/points/notices/{claim.pk}/object/").content.decode()
    assert name not in form
    assert world.a.other_household.number in form


def test_withdrawing_a_claim_reviewed_meanwhile_says_why(client, world):
    claim = claim_record(
        actor=world.a.worker,
        household=world.a.household,
        rule=village_rule(world),
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=world.a.cadre, claim=claim)
    client.force_login(world.a.worker)
    r = client.post(f"/points/claims/{claim.pk}/withdraw/")
    assert r.status_code == 302
    assert [str(m) for m in get_messages(r.wsgi_request)] == ["已审核的申报不能撤回"]
    claim.refresh_from_db()
    assert claim.status == S.ON_NOTICE


def test_the_red_list_shows_only_households_with_points(client, world, django_user_model):
    # other_household is fined and lists below zero; the village lists no deductions.
    entry_post(
        actor=world.a.cadre,
        account=account_for(household=world.a.other_household),
        amount=-13,
        reason="乱倒垃圾",
        source=PointEntry.Source.ADJUSTMENT,
    )
    month = current_periods()["month"]
    assert all(r.score > 0 for r in red_list(node=world.a.node, period=month))
    assert world.a.other_household.pk not in {
        r.household_id for r in red_list(node=world.a.node, period=month)
    }
    client.force_login(world.a.villager)
    page = client.get(f"/points/board/{world.a.node.pk}/").content.decode()
    assert "扣分公示" not in page
    assert not re.search(r'class="num">-\d+</td>', page)
    pdf = client.get(f"/points/board/{world.a.node.pk}/notice.pdf")
    assert pdf.status_code == 200


def _import(tmp_path, rows, user) -> dict:
    path = make_sheet(tmp_path / "l.xlsx", [["户编号", "日期", "规则", "分值", "事由"], *rows])
    report = tmp_path / "r.json"
    call_command(
        "import_xlsx",
        "points_ledger",
        str(path),
        "--user",
        user.username,
        "--report",
        str(report),
        stdout=StringIO(),
    )
    return json.loads(report.read_text())


def test_two_equal_rows_of_an_old_ledger_are_two_entries_and_read_back_unchanged(world, tmp_path):
    day = dt.date(2025, 6, 1)
    row = ["a-001", day, "家庭美德", 2, "参加村民大会"]
    before = _balance(world.a.household)
    report = _import(tmp_path, [row, row, ["a-001", day, "家庭美德", 2, "另一件事"]], world.a.cadre)
    assert (report["created"], report["unchanged"]) == (3, 0)
    assert _balance(world.a.household) == before + 6
    # Written a little differently, the same household and reason: still the same rows.
    other_day = dt.date(2025, 6, 2)
    first, spaced = (
        ["a-001", other_day, "家庭美德", 2, "开会"],
        ["a- 001", other_day, "家庭美德", 2, "开会"],
    )
    assert _import(tmp_path, [first, spaced], world.a.cadre)["created"] == 2
    before += 4
    again = _import(tmp_path, [row, row, row], world.a.cadre)  # a third equal row is new
    assert (again["created"], again["unchanged"]) == (1, 2)
    assert _balance(world.a.household) == before + 8


def test_a_cadre_cannot_import_points_for_their_own_home_nor_for_today(world, tmp_path):
    Resident.objects.filter(pk=world.a.other_head.pk).update(user=world.a.cadre)
    number = world.a.other_household.number
    today = timezone.localdate()
    report = _import(
        tmp_path,
        [
            [number, dt.date(2025, 1, 5), "家庭美德", 100000, "往年积分"],
            ["a-001", today, "家庭美德", 5, "今天"],
        ],
        world.a.cadre,
    )
    assert report["created"] == 0
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "户编号"), (3, "日期")]
    messages = [e["message"] for e in report["errors"]]
    assert "不能导入自己家的积分" in messages[0] and "日期应早于今天" in messages[1]
    # Another cadre imports the old row for that household.
    assert (
        _import(
            tmp_path, [[number, dt.date(2025, 1, 5), "家庭美德", 5, "往年积分"]], world.a.secretary
        )["created"]
        == 1
    )


def test_a_cadre_cannot_reverse_an_entry_of_their_own_home(world):
    Resident.objects.filter(pk=world.a.other_head.pk).update(user=world.a.cadre)
    fine = village_rule(world, title="乱搭乱建", points=-20, cap_points=None)
    entry_post(
        actor=world.a.secretary,
        account=account_for(household=world.a.other_household),
        amount=30,
        reason="往年结余",
        source=PointEntry.Source.ADJUSTMENT,
    )
    claim = claim_record(
        actor=world.a.sibling_worker,
        household=world.a.other_household,
        rule=fine,
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=world.a.secretary, claim=claim)
    end_notice(claim)
    entry = claim_finalize(actor=None, claim=claim)
    with pytest.raises(PermissionDenied, match="自己家"):
        entry_reverse(actor=world.a.cadre, entry=entry, reason="有误")
    assert entry_reverse(actor=world.a.secretary, entry=entry, reason="有误").amount == 20


def test_the_ledger_offers_冲正_only_where_it_would_be_taken(client, world):
    account = account_for(household=world.a.household)
    kept = entry_post(
        actor=world.a.cadre, account=account, amount=4, reason="甲村义务劳动", source="claim"
    )
    wrong = entry_post(
        actor=world.a.cadre, account=account, amount=2, reason="甲村记错", source="claim"
    )
    entry_reverse(actor=world.a.secretary, entry=wrong, reason="记错了")
    link = lambda e: f"/points/entries/{e.pk}/reverse/"  # noqa: E731
    client.force_login(world.a.cadre)
    page = client.get("/points/ledger/").content.decode()
    assert link(kept) in page and link(wrong) not in page  # reversed once already
    for reader in (world.a.auditor, world.a.group_leader):
        client.force_login(reader)
        page = client.get("/points/ledger/").content.decode()
        assert "甲村义务劳动" in page and link(kept) not in page


def test_the_apply_page_says_what_the_rule_asks_for(client, world):
    rule = village_rule(world, evidence="photo_and_note")
    client.force_login(world.a.villager)
    page = client.get(f"/points/apply/?rule={rule.pk}").content.decode()
    assert "照片（必须拍一张）" in page and "说明（必须填写）" in page
    assert "可不传" not in page and "可不填" not in page
    assert "需要拍一张照片，并写几句说明" in page
    free = village_rule(world, title="甲村自由规则", evidence="none")
    page = client.get(f"/points/apply/?rule={free.pk}").content.decode()
    assert "照片（可不传）" in page and "说明（可不填）" in page


def test_a_household_may_object_to_its_own_deduction_not_to_its_own_points(world):
    from xiangzhi.points.services.claims import objection_raise

    fine = village_rule(world, title="乱倒垃圾", points=-2, cap_points=None)
    today = timezone.localdate()
    deduction = claim_record(
        actor=world.a.worker, household=world.a.household, rule=fine, occurred_on=today
    )
    claim_approve(actor=world.a.cadre, claim=deduction)
    objection_raise(actor=world.a.villager, claim=deduction, reason="那天我家不在村里")
    deduction.refresh_from_db()
    assert deduction.status == S.SUBMITTED
    points = claim_record(
        actor=world.a.worker,
        household=world.a.household,
        rule=village_rule(world),
        occurred_on=today,
    )
    claim_approve(actor=world.a.cadre, claim=points)
    with pytest.raises(ValidationError, match="不能对自己家的申报提出异议"):
        objection_raise(actor=world.a.villager, claim=points, reason="想多要几分")


def test_a_claim_reversed_after_it_became_final_no_longer_counts_against_the_cap(world):
    rule = village_rule(world, points=5, cap_points=10)
    today = timezone.localdate()
    made = []
    for worker in (world.a.worker, world.a.worker):
        claim = claim_record(
            actor=worker, household=world.a.household, rule=rule, occurred_on=today
        )
        claim_approve(actor=world.a.cadre, claim=claim)
        end_notice(claim)
        made.append(claim_finalize(actor=None, claim=claim))
    third = claim_record(
        actor=world.a.worker, household=world.a.household, rule=rule, occurred_on=today
    )
    with pytest.raises(ValidationError, match="超过该规则每户"):
        claim_approve(actor=world.a.cadre, claim=third)
    entry_reverse(actor=world.a.secretary, entry=made[0], reason="记重了")
    claim_approve(actor=world.a.cadre, claim=third)  # the corrected one is out of the count


def test_a_household_objects_to_a_claim_once(world):
    from xiangzhi.points.services.claims import objection_raise

    claim = claim_record(
        actor=world.a.sibling_worker,
        household=world.a.other_household,
        rule=village_rule(world),
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=world.a.cadre, claim=claim)
    objection_raise(actor=world.a.villager, claim=claim, reason="那天没见他家打扫")
    claim_approve(actor=world.a.secretary, claim=claim, note="核实确有其事")
    with pytest.raises(ValidationError, match="已对这条申报提过异议"):
        objection_raise(actor=world.a.villager, claim=claim, reason="我还是不同意")
    claim.refresh_from_db()
    assert claim.status == S.ON_NOTICE


def test_a_household_that_moved_out_cannot_redeem_and_the_shop_form_is_for_cadres(client, world):
    from xiangzhi.people.models import Household
    from xiangzhi.points.services.store import redemption_create, reward_create

    reward = reward_create(
        actor=world.a.cadre, node=world.a.node, name="香皂", kind="material", cost=1, stock=5
    )
    Household.objects.filter(pk=world.a.household.pk).update(status=Household.Status.MOVED_OUT)
    account = account_for(household=Household.objects.get(pk=world.a.household.pk))
    with pytest.raises(ValidationError, match="已迁出或注销"):
        redemption_create(actor=world.a.cadre, reward=reward, account=account)
    for reader in (world.a.villager, world.a.worker, world.a.auditor):
        client.force_login(reader)
        assert client.get("/points/store/rewards/new/").status_code == 403
    client.force_login(world.a.cadre)
    assert client.get("/points/store/rewards/new/").status_code == 200
