"""The grid's part of the workbench: each subtree a cadre oversees, rolled up once per page,
and the chart of its figures (Apache ECharts, served from this server's static files)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.templatetags.static import static

from xiangzhi.core.registry import FIGURES
from xiangzhi.core.roles import AUDITOR_AND_CADRE_ROLES
from xiangzhi.core.workbench import Desk

from .models import GridNode
from .rollup import Rollup, rollup_children

# A leader bound to many subtrees sees the first ones; the grid page (网格) lists them all.
MAX_ROOTS = 5
ECHARTS_PATH = "vendor/echarts/echarts.min.js"


@dataclass
class Overview:
    """A subtree the desk oversees: its roll-up and its children's (one grouped query each)."""

    node: GridNode
    total: Rollup
    children: list[Rollup]


def desk_overviews(desk: Desk) -> list[Overview]:
    """The roll-ups of the subtrees the desk oversees, top first, built once per page."""
    return desk.memo("grid.overviews", lambda: _overviews(desk))


def _overviews(desk: Desk) -> list[Overview]:
    if desk.scope.superuser:
        roots = list(GridNode.objects.filter(parent__isnull=True).order_by("path")[:MAX_ROOTS])
    else:
        paths = desk.paths(AUDITOR_AND_CADRE_ROLES)[:MAX_ROOTS]
        roots = list(GridNode.objects.filter(path__in=paths).order_by("path")) if paths else []
    children: dict[int, list[GridNode]] = {r.pk: [] for r in roots}
    for child in GridNode.objects.filter(parent__in=roots).order_by("path"):
        children[child.parent_id].append(child)
    out = []
    for root in roots:
        total, rows = rollup_children(root, children[root.pk])
        out.append(Overview(root, total, rows))
    return out


def chart_data(overview: Overview) -> dict:
    """What the chart script draws: the children's names and one series per figure."""
    return {
        "title": overview.node.name,
        "categories": [r.node.name for r in overview.children],
        "series": [
            {"name": f.label, "data": [r.counts.get(f.key, 0) for r in overview.children]}
            for f in FIGURES
        ],
        # Two figures at first; the legend turns the others on (a phone shows few bars well).
        "shown": [f.label for f in FIGURES[:2]],
    }


def chart_panel(*, actor, obj: Desk, can_write: bool) -> dict | None:
    """The workbench's chart of each overseen subtree's figures, by child node."""
    if not obj.oversees:
        return None
    overviews = [o for o in desk_overviews(obj) if o.children]
    if not overviews:
        return None
    return {
        "charts": [
            {"overview": o, "data": chart_data(o), "data_id": f"chart-data-{o.node.pk}"}
            for o in overviews
        ],
        "figures": FIGURES,
        "echarts": echarts_url(),
    }


@functools.cache
def echarts_url() -> str:
    """The URL of the ECharts script, "" when set-up could not install it (no npm)."""
    return static(ECHARTS_PATH) if finders.find(ECHARTS_PATH) else ""
