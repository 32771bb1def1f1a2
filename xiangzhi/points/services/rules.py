"""The rule catalogue's writes: a township's limits, its rules and its villages' own rules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiangzhi.core.audit import audit_record
from xiangzhi.core.roles import CADRE_ROLES, Role
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..actions import PointsAction
from ..models import CapPeriod, Category, Evidence, PointPolicy, PointRule, PointRuleVersion
from .ledger import policy_for

TOWNSHIP_ROLES = {Role.CHIEF_GRID_LEADER, Role.TOWNSHIP_STAFF}
RECORDER_KEYS = ("village_cadre", "grid_worker", "villager")
# The terms a version keeps; a revision that changes none of them writes no version.
TERMS = (
    "title",
    "category",
    "custom_category",
    "points",
    "evidence",
    "cap_points",
    "cap_period",
    "recorders",
)


def may_set_rules(*, actor: Actor, node: GridNode) -> bool:
    """Township rules by the township's leaders; a village's by its secretary and cadres."""
    scope = scope_for(actor)
    if node.level == 1:
        return scope.allows(TOWNSHIP_ROLES, node.path)
    if node.level == 2:
        return scope.allows(CADRE_ROLES, node.path)
    return False


def policy_set(
    *,
    actor: Actor,
    node: GridNode,
    villages_may_add: bool = True,
    max_points: int = 50,
    max_deduction: int = 20,
    categories: list[str] | None = None,
    min_balance: int = -100,
    notice_days: int = 5,
) -> PointPolicy:
    """Set the limits of a township's villages' rules, its lowest balance and notice period."""
    if node.level != 1:
        raise ValidationError({"node": _("积分制度由乡镇设置")})
    if not scope_for(actor).allows(TOWNSHIP_ROLES, node.path):
        raise PermissionDenied(_("只有乡镇领导可以设置积分制度"))
    categories = list(categories or [])
    unknown = [c for c in categories if c not in Category.values]
    if unknown:
        raise ValidationError({"categories": _("类别不正确")})
    if not 1 <= notice_days <= 30:
        raise ValidationError({"notice_days": _("公示期应为1至30个工作日")})
    if min_balance > 0:
        raise ValidationError({"min_balance": _("最低余额不能大于0")})
    values = {
        "villages_may_add": villages_may_add,
        "max_points": max_points,
        "max_deduction": max_deduction,
        "categories": categories,
        "min_balance": min_balance,
        "notice_days": notice_days,
    }
    with transaction.atomic():
        policy, _created = PointPolicy.objects.select_for_update().update_or_create(
            node=node, defaults=values
        )
        audit_record(
            actor=actor, action=PointsAction.POLICY_SET, obj=policy, node=node, changes=values
        )
    return policy


def _clean_terms(terms: dict, node: GridNode) -> dict:
    """Check a rule's terms against the enums and, for a village's rule, its township's limits."""
    errors = {}
    title = (terms.get("title") or "").strip()
    if not title:
        errors["title"] = _("请填写规则名称")
    points = terms.get("points")
    if not isinstance(points, int) or isinstance(points, bool) or points == 0:
        errors["points"] = _("分值应为非零整数（扣分填负数）")
    if terms.get("category") not in Category.values:
        errors["category"] = _("类别不正确")
    elif terms["category"] == Category.CUSTOM and not (terms.get("custom_category") or "").strip():
        errors["custom_category"] = _("自定义类别请填写类别名称")
    if terms.get("evidence") not in Evidence.values:
        errors["evidence"] = _("证明材料要求不正确")
    if terms.get("cap_period") not in CapPeriod.values:
        errors["cap_period"] = _("上限周期不正确")
    cap = terms.get("cap_points")
    if cap is not None and (not isinstance(cap, int) or cap <= 0):
        errors["cap_points"] = _("上限应为正整数，不设上限请留空")
    recorders = list(terms.get("recorders") or [])
    if not recorders or any(r not in RECORDER_KEYS for r in recorders):
        errors["recorders"] = _("请选择可登记人")
    if not errors and node.level == 2:
        errors.update(_within_policy(node, terms["category"], points))
    if errors:
        raise ValidationError(errors)
    return {**terms, "title": title, "recorders": recorders}


def _within_policy(node: GridNode, category: str, points: int) -> dict:
    policy = policy_for(node)
    if policy is None:
        return {}
    if not policy.villages_may_add:
        return {"node": _("本乡镇不允许村级自定积分规则")}
    if policy.categories and category not in policy.categories:
        return {"category": _("乡镇未开放该类别的村级规则")}
    if points > policy.max_points:
        return {"points": _("分值超过乡镇规定的上限%(n)d分") % {"n": policy.max_points}}
    if -points > policy.max_deduction:
        return {"points": _("扣分超过乡镇规定的上限%(n)d分") % {"n": policy.max_deduction}}
    return {}


def _version(actor: Actor, rule: PointRule) -> PointRuleVersion:
    return PointRuleVersion.objects.create(
        rule=rule,
        version=rule.version,
        created_by=actor if getattr(actor, "pk", None) else None,
        **{k: getattr(rule, k) for k in TERMS},
    )


def rule_create(
    *,
    actor: Actor,
    node: GridNode,
    title: str,
    points: int,
    category: str = Category.LIVING_ENVIRONMENT,
    custom_category: str = "",
    evidence: str = Evidence.NONE,
    cap_points: int | None = None,
    cap_period: str = CapPeriod.MONTH,
    recorders: list[str] | None = None,
    description: str = "",
    code: str = "",
    is_synthetic: bool = False,
) -> PointRule:
    """Add a rule to a township's or a village's catalogue, as its first version."""
    if not may_set_rules(actor=actor, node=node):
        raise PermissionDenied(_("您不能为该单位制定积分规则"))
    terms = _clean_terms(
        {
            "title": title,
            "category": category,
            "custom_category": custom_category if category == Category.CUSTOM else "",
            "points": points,
            "evidence": evidence,
            "cap_points": cap_points,
            "cap_period": cap_period,
            "recorders": list(RECORDER_KEYS) if recorders is None else recorders,
        },
        node,
    )
    with transaction.atomic():
        rule = PointRule.objects.create(
            node=node,
            code=code.strip(),
            description=description.strip(),
            is_synthetic=is_synthetic,
            created_by=actor if getattr(actor, "pk", None) else None,
            **terms,
        )
        _version(actor, rule)
        audit_record(
            actor=actor,
            action=PointsAction.RULE_CREATE,
            obj=rule,
            node=rule.node,
            changes={k: terms[k] for k in TERMS},
        )
    return rule


def rule_revise(*, actor: Actor, rule: PointRule, **changes: object) -> PointRule:
    """Change a rule's terms as a new version; claims and entries keep the version they had."""
    if not may_set_rules(actor=actor, node=rule.node):
        raise PermissionDenied(_("您不能修改该积分规则"))
    unknown = set(changes) - {*TERMS, "description", "code"}
    if unknown:
        raise ValidationError({"rule": _("不能修改这些内容")})
    current = {k: getattr(rule, k) for k in TERMS}
    terms = _clean_terms({**current, **{k: v for k, v in changes.items() if k in TERMS}}, rule.node)
    changed = {k: [current[k], terms[k]] for k in TERMS if current[k] != terms[k]}
    with transaction.atomic():
        rule = PointRule.objects.select_for_update().get(pk=rule.pk)
        for key in ("description", "code"):
            if key in changes:
                setattr(rule, key, str(changes[key]).strip())
        for key, value in terms.items():
            setattr(rule, key, value)
        if changed:
            rule.version += 1
        rule.save()
        if changed:
            _version(actor, rule)
        audit_record(
            actor=actor,
            action=PointsAction.RULE_REVISE,
            obj=rule,
            node=rule.node,
            changes={**changed, "version": rule.version},
        )
    return rule


def rule_retire(*, actor: Actor, rule: PointRule) -> PointRule:
    """Stop a rule: nothing new is claimed under it; what was earned stays."""
    if not may_set_rules(actor=actor, node=rule.node):
        raise PermissionDenied(_("您不能停用该积分规则"))
    with transaction.atomic():
        rule.is_active = False
        rule.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=actor, action=PointsAction.RULE_RETIRE, obj=rule, node=rule.node, changes={}
        )
    return rule
