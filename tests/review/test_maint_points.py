"""Maintainer review of the points app (issue 14): confirmed bugs, each a failing test."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.points.helpers import village_rule
from xiangzhi.points.services.claims import claim_approve, claim_record
from xiangzhi.points.services.store import board_setting_update


def _on_notice_for_the_neighbour(world):
    claim = claim_record(
        actor=world.a.sibling_worker,
        household=world.a.other_household,
        rule=village_rule(world),
        occurred_on=timezone.localdate(),
    )
    return claim_approve(actor=world.a.cadre, claim=claim)


def test_the_notice_page_hides_a_name_the_village_chose_to_mask(client, world):
    # The village keeps the default (masked names, e.g. 甲*壁) for its public lists; the 公示
    # page is a public list shown to every villager of the village, so it must follow it.
    _on_notice_for_the_neighbour(world)
    client.force_login(world.a.villager)
    page = client.get("/points/notices/").content.decode()
    assert "门前三包" in page  # the claim is listed
    assert world.a.other_head.name not in page


def test_the_notice_page_shows_only_the_household_number_where_the_village_chose_so(client, world):
    board_setting_update(
        actor=world.a.cadre, node=world.a.node, name_display="number", show_deductions=False
    )
    _on_notice_for_the_neighbour(world)
    client.force_login(world.a.villager)
    page = client.get("/points/notices/").content.decode()
    assert world.a.other_household.number in page
    assert world.a.other_head.name not in page


def test_a_villagers_workbench_shows_their_points_balance_in_one_card(client, world):
    # The merge of the ledger and the store each brought a villager's points card (我家的积分,
    # order 15, and 我的积分, order 15): an elder on a phone reads the same balance twice.
    client.force_login(world.a.villager)
    page = client.get("/").content.decode()
    cards = page.count('id="panel-points-home"') + page.count('id="panel-points-mine"')
    assert cards == 1


def test_reversing_a_redemption_at_the_ledger_is_refused_and_issues_no_points(world):
    # The ledger page offers 冲正 on every entry but a reversal, so on a redemption's too. The
    # points_issued figure leaves redemptions out ("a redemption spends, it issues nothing"),
    # yet counts the reversal of one as points issued: a refund shows on the dashboards as
    # 本月发放积分.
    from xiangzhi.core import figures
    from xiangzhi.core.models import FigureCount
    from xiangzhi.points.services import account_for, entry_post, entry_reverse
    from xiangzhi.points.services.store import redemption_create, reward_create

    a = world.a
    account = account_for(household=a.household)
    entry_post(actor=a.cadre, account=account, amount=100, reason="甲村清扫", source="claim")
    oil = reward_create(
        actor=a.cadre, node=a.node, name="食用油", kind="material", cost=30, stock=10
    )
    redemption = redemption_create(actor=a.cadre, reward=oil, account=account)

    def issued() -> int:
        rows = FigureCount.objects.filter(
            key="points_issued", period=figures.current_period(), node_id=a.node.pk
        )
        return sum(rows.values_list("value", flat=True))

    # The fix chosen: the ledger refuses to reverse a redemption's entry (no refund, no points
    # counted as issued); the balance and the figure stay as they were.
    before = issued()
    account.refresh_from_db()
    balance = account.balance
    with pytest.raises(ValidationError):
        entry_reverse(actor=a.secretary, entry=redemption.entry, reason="甲村误兑换，退回积分")
    account.refresh_from_db()
    assert (issued(), account.balance) == (before, balance)
