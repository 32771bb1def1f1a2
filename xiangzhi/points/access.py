"""The only way a request loads one record of the points app (404 out of scope, 403 read-only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor

from .models import PointClaim, PointClaimPhoto, PointEntry, PointObjection, PointRule


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
