"""The only way a request loads one record of the points app (404 out of scope, 403 read-only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from xiangzhi.core.scope import access_object, scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household

from .models import (
    PointClaim,
    PointClaimPhoto,
    PointEntry,
    PointObjection,
    PointRedemption,
    PointReward,
    PointRule,
)


def access_point_rule(actor: Actor, pk: int | str, *, write: bool = False) -> PointRule:
    """A rule the actor may apply (their grids' and the units above them): 404 otherwise;
    writing, a rule of a unit whose rules they set: 403 otherwise."""
    from .selectors import rule_list
    from .services.rules import may_set_rules

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    rule = rule_list(actor=actor, active_only=False).filter(pk=pk).first()
    if rule is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内"))
    if write and not may_set_rules(actor=actor, node=rule.node):
        raise PermissionDenied(gettext("您对该积分规则只有查看权限"))
    return rule


def access_point_claim(actor: Actor, pk: int | str, *, write: bool = False) -> PointClaim:
    qs = PointClaim.objects.select_related("rule_version", "household", "node", "resident")
    return access_object(PointClaim, actor, pk, write=write, queryset=qs)


def access_point_claim_on_notice(actor: Actor, pk: int | str) -> PointClaim:
    """A claim on public notice that the actor may read: in their grids, or in the village of
    their own household. One they may read that is not on notice: 403; any other: 404."""
    from .selectors import notice_list

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    claim = notice_list(actor=actor).filter(pk=pk).first()
    if claim is not None:
        return claim
    access_point_claim(actor, pk)  # 404 outside the scope
    raise PermissionDenied(gettext("该申报不在公示期内，不能提出异议"))


def access_point_claim_photo(actor: Actor, pk: int | str) -> PointClaimPhoto:
    return access_object(PointClaimPhoto, actor, pk)


def access_point_objection(actor: Actor, pk: int | str, *, write: bool = False) -> PointObjection:
    return access_object(PointObjection, actor, pk, write=write)


def access_point_entry(actor: Actor, pk: int | str, *, write: bool = False) -> PointEntry:
    qs = PointEntry.objects.select_related("account", "household", "node")
    return access_object(PointEntry, actor, pk, write=write, queryset=qs)


# --- the store and the public lists --------------------------------------------------

BOARD_LEVELS = (1, 2, 3, 4)


def access_point_reward(actor: Actor, pk: int | str, *, write: bool = False) -> PointReward:
    qs = PointReward.objects.select_related("node")
    return access_object(PointReward, actor, pk, write=write, queryset=qs)


def access_point_redemption(actor: Actor, pk: int | str) -> PointRedemption:
    """A redemption (and its receipt): its cadres, and the household it was made for."""
    qs = PointRedemption.objects.select_related(
        "reward__node", "household__head", "node", "entry", "redeemed_by"
    )
    return access_object(PointRedemption, actor, pk, queryset=qs)


def _home_paths(actor: Actor, households: list[Household] | None = None) -> list[str]:
    """The grid paths an actor lives or works under: their bound nodes and their households
    (`households`: all of the actor's households, read through its scope with their nodes, when
    the caller has them; in the order the query gives, by path)."""
    scope = scope_for(actor)
    paths = [path for _role, path, _level in scope.bindings if path]
    if households is not None and {h.pk for h in households} == set(scope.household_ids):
        paths += sorted(h.node.path for h in households)
    elif scope.household_ids:
        homes = Household.objects.filter(pk__in=sorted(scope.household_ids))
        paths += list(homes.values_list("node__path", flat=True))
    return paths


def access_board(actor: Actor, pk: int | str) -> GridNode:
    """The node of a public board (a township, village, branch or hamlet group): open to the
    node's readers and to everyone who lives or works under it (the lists are posted there);
    404 to anyone else, like a missing node."""
    try:
        node = GridNode.objects.filter(pk=int(pk), level__in=BOARD_LEVELS).first()
    except (TypeError, ValueError):
        node = None
    if node is not None:
        scope = scope_for(actor)
        if scope.can_read_path(node.path) or any(
            p.startswith(node.path) for p in _home_paths(actor)
        ):
            return node
    raise Http404(gettext("记录不存在或不在您的管辖范围内"))


def home_board(actor: Actor, households: list[Household] | None = None) -> GridNode | None:
    """The board a user opens first: the village they live or work in (or their township's
    when they are bound above villages). `households`: as _home_paths takes them."""
    paths = sorted(_home_paths(actor, households), key=len)
    if not paths:
        return None
    path = paths[0]
    nodes = {
        n.path: n
        for n in GridNode.objects.filter(
            path__in=[path[:i] for i in range(5, len(path) + 1, 5)], level__in=BOARD_LEVELS
        )
    }
    if not nodes:
        return None
    villages = [n for n in nodes.values() if n.level == 2]
    return villages[0] if villages else max(nodes.values(), key=lambda n: n.level)
