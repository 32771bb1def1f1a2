"""Counts rolled up the grid. Apps above grid register what they count (households, residents,
party members); grid computes every figure for a node's children in one grouped query each, so
the number of queries does not grow with the tree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Substr

from .models import SEGMENT, GridNode, level_name


@dataclass(frozen=True)
class Counter:
    key: str
    label: str
    queryset: Callable  # () -> QuerySet of the counted rows
    path_lookup: str  # lookup from the counted row to its node's path


COUNTERS: list[Counter] = []


def register_counter(key: str, label: str, queryset: Callable, path_lookup: str) -> None:
    if any(c.key == key for c in COUNTERS):
        return
    COUNTERS.append(Counter(key, label, queryset, path_lookup))


@dataclass
class Rollup:
    node: GridNode
    levels: dict[int, int]
    counts: dict[str, int]

    @property
    def level_rows(self):
        return [(lvl, level_name(lvl), n) for lvl, n in sorted(self.levels.items())]


def rollup_children(parent: GridNode, children: list[GridNode]) -> tuple[Rollup, list[Rollup]]:
    """Return the roll-up of `parent` and of each child: sub-node counts per level and counters."""
    width = len(parent.path) + SEGMENT
    by_child_levels: dict[str, dict[int, int]] = defaultdict(dict)
    total_levels: dict[int, int] = defaultdict(int)
    rows = (
        GridNode.objects.filter(path__under=parent.path, level__gt=parent.level)
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        total_levels[row["level"]] += row["n"]
        if row["level"] > parent.level + 1:
            by_child_levels[row["prefix"]][row["level"]] = row["n"]
    by_child_counts: dict[str, dict[str, int]] = defaultdict(dict)
    total_counts: dict[str, int] = {}
    for counter in COUNTERS:
        lookup = counter.path_lookup
        rows = (
            counter.queryset()
            .filter(**{f"{lookup}__under": parent.path})
            .annotate(prefix=Substr(lookup, 1, width))
            .values("prefix")
            .annotate(n=Count("pk"))
            .order_by()
        )
        total = 0
        for row in rows:
            by_child_counts[row["prefix"]][counter.key] = row["n"]
            total += row["n"]
        total_counts[counter.key] = total
    parent_rollup = Rollup(parent, dict(total_levels), total_counts)
    child_rollups = [
        Rollup(
            c,
            by_child_levels.get(c.path, {}),
            {k.key: by_child_counts.get(c.path, {}).get(k.key, 0) for k in COUNTERS},
        )
        for c in children
    ]
    return parent_rollup, child_rollups
