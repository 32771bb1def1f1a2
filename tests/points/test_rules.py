"""Rules: a township's catalogue, its villages' own rules within its limits, versions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiangzhi.core.models import AuditEvent
from xiangzhi.points.models import PointRule, PointRuleVersion
from xiangzhi.points.services.rules import policy_set, rule_create, rule_retire, rule_revise

from .helpers import township_rule, village_rule


def test_a_township_leader_sets_the_limits_and_a_village_adds_a_rule_within_them(world):
    policy_set(
        actor=world.chief,
        node=world.township,
        max_points=8,
        max_deduction=5,
        categories=["living_environment", "custom"],
    )
    rule = village_rule(world, points=8)
    assert rule.node == world.a.node and rule.versions.get().points == 8
    with pytest.raises(ValidationError, match="上限8分"):
        village_rule(world, points=9)
    with pytest.raises(ValidationError, match="扣分超过"):
        village_rule(world, points=-6)
    with pytest.raises(ValidationError, match="未开放该类别"):
        village_rule(world, category="enterprise")
    rule = village_rule(world, category="custom", custom_category="甲村护林", points=-5)
    assert rule.category_label == "甲村护林"
    assert PointRule.objects.filter(node=world.a.node).count() == 3


def test_a_township_may_forbid_village_rules(world):
    policy_set(actor=world.chief, node=world.township, villages_may_add=False)
    with pytest.raises(ValidationError, match="不允许村级自定"):
        village_rule(world)
    assert township_rule(world, points=100).points == 100  # the township's own: no limit


def test_only_township_leaders_set_the_policy_and_township_rules(world):
    for actor in (world.a.secretary, world.a.cadre, world.a.auditor, world.a.villager):
        with pytest.raises(PermissionDenied):
            policy_set(actor=actor, node=world.township)
        with pytest.raises(PermissionDenied):
            rule_create(actor=actor, node=world.township, title="乡规", points=1)


def test_a_village_rule_is_made_by_that_villages_cadres_only(world):
    for actor in (world.b.secretary, world.a.worker, world.a.auditor, world.a.villager):
        with pytest.raises(PermissionDenied):
            rule_create(actor=actor, node=world.a.node, title="甲村规", points=1)
    assert PointRule.objects.filter(node=world.a.node).count() == 1  # the world's own


def test_a_rule_needs_nonzero_points_a_title_and_known_terms(world):
    with pytest.raises(ValidationError) as caught:
        rule_create(actor=world.a.cadre, node=world.a.node, title=" ", points=0, evidence="x")
    assert {"title", "points", "evidence"} <= set(caught.value.message_dict)


def test_a_revision_is_a_new_version_and_the_old_terms_are_kept(world):
    rule = village_rule(world, points=5)
    rule = rule_revise(actor=world.a.cadre, rule=rule, points=6, evidence="photo")
    assert rule.version == 2
    assert list(PointRuleVersion.objects.filter(rule=rule).values_list("version", "points")) == [
        (1, 5),
        (2, 6),
    ]
    rule_revise(actor=world.a.cadre, rule=rule, description="甲村说明")
    rule.refresh_from_db()
    assert rule.version == 2  # no term changed: no new version
    assert AuditEvent.objects.filter(action="points.rule_revise").count() == 2


def test_a_retired_rule_stays_with_its_versions(world):
    rule = rule_retire(actor=world.a.cadre, rule=village_rule(world))
    assert not rule.is_active and rule.versions.count() == 1
    with pytest.raises(PermissionDenied):
        rule_retire(actor=world.b.cadre, rule=rule)
