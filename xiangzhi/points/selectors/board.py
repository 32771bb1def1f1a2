"""The public lists (公示栏): rankings per hamlet group, village and township for a month, a
quarter or a year, the red list, the deductions a village chooses to list, a household's rank,
and a subtree's totals per child node.

Every list reads the maintained totals (PointPeriodTotal: one row per account and period), in
the path range of the node, never the entries: a township's ranking reads its few thousand
rows, whatever the number of entries. The lists are public to the people of the node they are
for (a board is posted in the village), so they are read through `access_board`, which lets
in the node's cadres and the people who live or work under it; names are shown as each village
chose (full, masked 张*三, or the household number), and no other personal data is shown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from xiangzhi.core.paths import SEGMENT
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..models import PointBoardSetting, PointClaim, PointEntry, PointPeriodTotal
from ..services.totals import periods_of

PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$")
SPANS = ("month", "quarter", "year")
VILLAGE_LEVEL = 2
BOARD_LEVELS = (1, 2, 3, 4)  # township, village, branch, hamlet group
DEDUCTION_SOURCES = (
    PointEntry.Source.CLAIM,
    PointEntry.Source.ADJUSTMENT,
    PointEntry.Source.IMPORT,
)


@dataclass(frozen=True)
class BoardRow:
    rank: int
    name: str
    score: int
    household_id: int
    village_path: str


def current_periods(day: dt.date | None = None) -> dict[str, str]:
    """{'month': '2026-11', 'quarter': '2026-Q4', 'year': '2026'} of a day (today)."""
    return dict(zip(SPANS, periods_of(day or timezone.localdate()), strict=True))


def parse_period(value: str | None, default_span: str = "month") -> str:
    """A period key from a query parameter; today's month (or span) when it is not one (or its
    days fall outside the calendar, as year 0 or the year 9999's end)."""
    value = (value or "").strip()
    if value in SPANS:
        return current_periods()[value]
    if PERIOD.match(value):
        try:
            period_days(value)
        except ValueError:
            return current_periods()[default_span]
        return value
    return current_periods()[default_span]


def period_days(period: str) -> tuple[dt.date, dt.date]:
    """The first day of a period and the first day after it."""
    year = int(period[:4])
    if "-Q" in period:
        quarter = int(period[-1])
        start = dt.date(year, 3 * quarter - 2, 1)
        months = 3
    elif "-" in period:
        start = dt.date(year, int(period[5:7]), 1)
        months = 1
    else:
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    month = start.month - 1 + months
    return start, dt.date(year + month // 12, month % 12 + 1, 1)


def mask_name(name: str) -> str:
    """张三 -> 张*, 张小三 -> 张*三, 欧阳小明 -> 欧**明."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def shown_name(name: str, number: str, mode: str) -> str:
    if mode == PointBoardSetting.NameDisplay.FULL:
        return name or number
    if mode == PointBoardSetting.NameDisplay.NUMBER or not name:
        return number
    return mask_name(name)


def board_settings(village_paths: set[str]) -> dict[str, PointBoardSetting]:
    """Each village's board settings by its path (a village without one has the defaults)."""
    if not village_paths:
        return {}
    found = PointBoardSetting.objects.filter(node__path__in=sorted(village_paths)).select_related(
        "node"
    )
    settings = {s.node.path: s for s in found}
    for path in village_paths - set(settings):
        settings[path] = PointBoardSetting()
    return settings


def name_on_notice(claims: list[PointClaim]) -> None:
    """Set each claim's shown_name as its village chose for public lists (masked by default,
    or the 户编号 only): the 公示 page is one, read by every villager of the village."""
    claims = list(claims)
    villages = {village_path_of(c.node.path, c.node.level) for c in claims}
    settings = board_settings(villages)
    for c in claims:
        mode = settings[village_path_of(c.node.path, c.node.level)].name_display
        head = c.household.head
        c.shown_name = shown_name(head.name if head else "", c.household.number, mode)


def village_path_of(path: str, level: int) -> str:
    """The path of the village at or above a node (path, level); the node's own above it."""
    if level <= VILLAGE_LEVEL:
        return path
    return path[: len(path) - (level - VILLAGE_LEVEL) * SEGMENT]


def _totals(node: GridNode, period: str | None) -> QuerySet[PointPeriodTotal]:
    """The households' totals of a period (None: of every period) in the node's subtree
    (members' accounts aside)."""
    rows = PointPeriodTotal.objects.filter(
        node__path__under=node.path, account__resident__isnull=True
    )
    return rows if period is None else rows.filter(period=period)


def ranking(
    *,
    node: GridNode,
    period: str,
    limit: int = 50,
    offset: int = 0,
    settings: dict[str, PointBoardSetting] | None = None,
    positive: bool = False,
) -> list[BoardRow]:
    """The households of the subtree by their points in the period, best first (ties share a
    rank: 1, 2, 2, 4); with `positive`, only those above zero (the 红榜). `settings`: board
    settings the caller has read already (board_settings), by village path; the others are read
    here."""
    totals = _totals(node, period)
    if positive:
        totals = totals.filter(score__gt=0)
    rows = list(
        totals.order_by("-score", "household_id").values_list(
            "score",
            "household_id",
            "household__number",
            "household__head__name",
            "node__path",
            "node__level",
        )[offset : offset + limit]
    )
    if not rows:
        return []
    above = totals.filter(score__gt=rows[0][0]).count() if offset else 0
    shown = _with_settings(settings, {village_path_of(r[4], r[5]) for r in rows})
    out, rank, previous = [], above + 1, None
    for i, (score, household_id, number, name, path, level) in enumerate(rows):
        if previous is not None and score != previous:
            rank = above + i + 1
        previous = score
        village = village_path_of(path, level)
        mode = shown[village].name_display
        out.append(
            BoardRow(rank, shown_name(name or "", number, mode), score, household_id, village)
        )
    return out


def red_list(
    *,
    node: GridNode,
    period: str,
    limit: int = 10,
    settings: dict[str, PointBoardSetting] | None = None,
) -> list[BoardRow]:
    """红榜: the best households of the period, those with points only (a deduction is listed
    apart, where the village publishes them: deduction_list)."""
    return ranking(node=node, period=period, limit=limit, settings=settings, positive=True)


def _with_settings(
    known: dict[str, PointBoardSetting] | None, villages: set[str]
) -> dict[str, PointBoardSetting]:
    """The board settings of these villages: those the caller read already, the others read."""
    known = known or {}
    return {**known, **board_settings(villages - set(known))}


def deduction_list(
    *,
    node: GridNode,
    period: str,
    limit: int = 50,
    settings: dict[str, PointBoardSetting] | None = None,
) -> list[dict]:
    """The deductions of the period in the villages that chose to list them (扣分公示).
    `settings`: board settings the caller has read already, by village path (a village's board
    passes its own: the page then names every household from one read)."""
    start, end = period_days(period)
    village = village_path_of(node.path, node.level)  # the node's own above the villages
    if node.level >= VILLAGE_LEVEL and settings and village in settings:
        # A village's settings are its own row (board_setting_update sets them on villages only).
        paths = [village] if settings[village].show_deductions else []
    else:
        villages = PointBoardSetting.objects.filter(show_deductions=True)
        if node.level <= VILLAGE_LEVEL:
            villages = villages.filter(node__path__under=node.path)
        else:
            villages = villages.filter(node__path=village)
        paths = sorted(villages.values_list("node__path", flat=True))
    if not paths:
        return []
    # Below a village the node's own subtree; at or above it, the subtrees of those villages.
    q = Q(pk__in=[])
    for path in paths if node.level <= VILLAGE_LEVEL else [node.path]:
        q |= Q(node__path__under=path)
    rows = (
        PointEntry.objects.filter(q)
        .filter(occurred_on__gte=start, occurred_on__lt=end, amount__lt=0)
        .filter(source__in=DEDUCTION_SOURCES, reversed_by__isnull=True)
        .order_by("-occurred_on", "-id")
        .values_list(
            "occurred_on",
            "amount",
            "reason",
            "household__number",
            "household__head__name",
            "node__path",
            "node__level",
        )[:limit]
    )
    shown = _with_settings(settings, {village_path_of(r[5], r[6]) for r in rows})
    return [
        {
            "day": day,
            "amount": amount,
            "reason": reason,
            "name": shown_name(
                name or "", number, shown[village_path_of(path, level)].name_display
            ),
        }
        for day, amount, reason, number, name, path, level in rows
    ]


def household_standing(*, household_id: int, node: GridNode, period: str) -> dict | None:
    """A household's points and rank in the node's subtree for the period (None: no points)."""
    return household_standings(household_id=household_id, node=node, periods=[period])[period]


def household_standings(
    *, household_id: int, node: GridNode, periods: list[str]
) -> dict[str, dict | None]:
    """household_standing for each of these periods, in one query: the household's score of
    each period and, beside it, how many households of the subtree have more in that period
    (the villager page asks for the month and the year)."""
    periods = list(periods)
    under = _totals(node, None)
    above = (
        under.filter(period=OuterRef("period"), score__gt=OuterRef("score"))
        .order_by()
        .values("period")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        under.filter(period__in=sorted(set(periods)), household_id=household_id)
        .annotate(above=Coalesce(Subquery(above), 0))
        .values_list("period", "score", "above")
    )
    found = {period: {"score": score, "rank": n + 1} for period, score, n in rows}
    return {period: found.get(period) for period in periods}


def subtree_totals(*, actor: Actor, node: GridNode, period: str) -> list[dict]:
    """Per child of the node: households taking part, points earned, deducted and redeemed in
    the period (the township's monthly totals), one grouped read of the totals."""
    width = len(node.path) + SEGMENT
    rows = (
        PointPeriodTotal.objects.for_actor(actor)
        .filter(node__path__under=node.path, period=period, account__resident__isnull=True)
        .annotate(child=Substr("node__path", 1, width))
        .values("child")
        .annotate(
            households=Count("pk", filter=Q(score__gt=0)),
            earned=Sum("earned"),
            deducted=Sum("deducted"),
            redeemed=Sum("redeemed"),
        )
        .order_by()
    )
    by_child = {r["child"]: r for r in rows}
    children = GridNode.objects.for_actor(actor).filter(parent=node).order_by("path")
    out = []
    for child in children.only("pk", "name", "path", "level"):
        r = by_child.get(child.path, {})
        out.append(
            {
                "node": child,
                "households": r.get("households") or 0,
                "earned": r.get("earned") or 0,
                "deducted": r.get("deducted") or 0,
                "redeemed": r.get("redeemed") or 0,
            }
        )
    return out


def board_nodes(*, node: GridNode) -> QuerySet[GridNode]:
    """The boards above and at a node that a person under it may open (township to group)."""
    paths = [*node.ancestor_paths(), node.path]
    return GridNode.objects.filter(path__in=paths, level__in=BOARD_LEVELS).order_by("path")
