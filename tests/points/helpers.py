"""Rules and claims the points tests share."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xiangzhi.points.models import PointClaim
from xiangzhi.points.services.rules import rule_create


def village_rule(world, v="a", **terms):
    village = getattr(world, v)
    values = {"title": f"{village.node.name}门前三包", "points": 5, "cap_points": 10}
    values.update(terms)
    return rule_create(actor=village.secretary, node=village.node, **values)


def township_rule(world, **terms):
    values = {"title": "清扫公共道路", "points": 3}
    values.update(terms)
    return rule_create(actor=world.chief, node=world.township, **values)


def end_notice(claim: PointClaim) -> None:
    """Move a claim's notice end into the past, as time passing would."""
    PointClaim.objects.filter(pk=claim.pk).update(
        notice_until=timezone.now() - dt.timedelta(seconds=1)
    )
