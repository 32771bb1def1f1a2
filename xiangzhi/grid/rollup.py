"""Counts rolled up the grid. Apps above grid register what they count (households, residents,
party members) as figures in core.registry, and core.figures keeps them as rows at the maintained
level (village by default). Above that level a node's roll-up is one grouped read of its
subtree's rows by path range, whatever the population under it. At or below that level (within
one village), and when maintained figures are switched off, every figure is counted live for the
node's children in one grouped query each, so the number of queries does not grow with the tree."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from xiangzhi.core import figures as maintained
from xiangzhi.core.models import FigureCount
from xiangzhi.core.paths import next_prefix
from xiangzhi.core.registry import FIGURES, Figure

from .apps import NODE_FIGURE
from .models import SEGMENT, GridNode, level_name


@dataclass
class Rollup:
    node: GridNode
    levels: dict[int, int]
    counts: dict[str, int]

    @property
    def level_rows(self):
        return [(lvl, level_name(lvl), n) for lvl, n in sorted(self.levels.items())]


# Each grouped query of a roll-up has one shape whatever the node: it is compiled once with these
# stand-ins, and later runs substitute the node's values. Compiling the five queries through the
# ORM cost more than running them (a village page: ~1 ms of compiling against 1.8 ms of SQL).
_PATH = "z" * 36 + "q"  # longer than any real path (at most six 5-character segments)
_WIDTH = 7_340_001
_LEVEL = 32_001  # within a small integer: the ORM drops a "level > x" below its range
_compiled: dict[tuple, tuple[str, list] | None] = {}


def _rows(key: str, build: Callable, parent: GridNode, width: int) -> list[tuple]:
    """The rows of build(path, width, level), a grouped values() query, compiled once per key."""
    sql, params = _compile(key, build, parent, width)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _compile(key: str, build: Callable, parent: GridNode, width: int) -> tuple[str, list]:
    """The SQL and parameters of build(path, width, level) for this node."""
    upper = next_prefix(parent.path)
    values = {_PATH: parent.path, next_prefix(_PATH): upper, _WIDTH: width, _LEVEL: parent.level}

    def fill(template):
        return [values.get(p, p) if isinstance(p, str | int) else p for p in template]

    # A figure may compare with today's date (its month, an age): the compiled SQL holds that
    # date, so it is compiled again on another day.
    today = timezone.localdate()
    if _compiled.get("day") != today:
        _compiled.clear()
        _compiled["day"] = today
    cache_key = (key, connection.vendor)
    compiled = _compiled.get(cache_key)
    if compiled is None or upper is None:
        sql, params = build(parent.path, width, parent.level).query.sql_with_params()
        if cache_key not in _compiled and upper is not None:
            # Keep the stand-in version only if it is this very query once filled in: the ORM
            # may write some values into the SQL, or drop a condition for some values.
            stand_in, template = build(_PATH, _WIDTH, _LEVEL).query.sql_with_params()
            same = stand_in == sql and fill(template) == list(params)
            _compiled[cache_key] = (stand_in, list(template)) if same else None
    else:
        sql, params = compiled[0], fill(compiled[1])
    return sql, list(params)


def _node_levels(path, width, level):
    return (
        GridNode.objects.filter(path__under=path, level__gt=level)
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix", "level")
        .annotate(n=Count("id"))
        .order_by()
    )


def _month_range() -> tuple[dt.date, dt.date]:
    first = timezone.localdate().replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def _counter_query(counter: Figure) -> Callable:
    def build(path, width, level):
        lookup = counter.path_lookup
        qs = counter.queryset()
        if counter.per_period:  # a figure per month: the page shows this month's
            start, end = _month_range()
            qs = qs.filter(
                **{f"{counter.date_lookup}__gte": start, f"{counter.date_lookup}__lt": end}
            )
        return (
            qs.filter(**{f"{lookup}__under": path})
            .annotate(prefix=Substr(lookup, 1, width))
            .values("prefix")
            .annotate(n=counter.measure())
            .order_by()
        )

    return build


def _maintained_rows(path, width, level):
    return (
        FigureCount.objects.filter(path__under=path, period__in=["", maintained.current_period()])
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix", "key")
        .annotate(n=Sum("value"))
        .order_by()
    )


def _live(parent: GridNode, width: int):
    """(prefix, level, n) node counts and (prefix, key, n) figure counts, counted live: every
    grouped query in one statement (UNION ALL), so that a page's query count is the same at
    every level."""
    sql, params = _compile("levels", _node_levels, parent, width)
    parts = [f"SELECT 0, t.prefix, t.level, t.n FROM ({sql}) t"]
    for i, counter in enumerate(FIGURES, start=1):
        sql, more = _compile(f"counter:{counter.key}", _counter_query(counter), parent, width)
        parts.append(f"SELECT {i}, t.prefix, 0, t.n FROM ({sql}) t")
        params += more
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    levels = [(prefix, level, n) for i, prefix, level, n in rows if i == 0]
    counts = [(prefix, FIGURES[i - 1].key, n) for i, prefix, _, n in rows if i > 0]
    return levels, counts


def _from_rows(parent: GridNode, width: int):
    """The same from the maintained rows of the subtree: one grouped read of a few rows per
    node at the maintained level, whatever the population under them."""
    levels, counts = [], []
    stem = NODE_FIGURE + ":"
    for prefix, key, n in _rows(
        f"maintained:{maintained.current_period()}", _maintained_rows, parent, width
    ):
        if key.startswith(stem):
            level = int(key[len(stem) :])
            if level > parent.level:
                levels.append((prefix, level, n))
        else:
            counts.append((prefix, key, n))
    return levels, counts


def rollup_children(parent: GridNode, children: list[GridNode]) -> tuple[Rollup, list[Rollup]]:
    """Return the roll-up of `parent` and of each child: sub-node counts per level and counters."""
    width = len(parent.path) + SEGMENT
    if maintained.enabled() and parent.level < maintained.maintained_level():
        levels, counts = _from_rows(parent, width)
    else:
        levels, counts = _live(parent, width)
    by_child_levels: dict[str, dict[int, int]] = defaultdict(dict)
    total_levels: dict[int, int] = defaultdict(int)
    for prefix, level, n in levels:
        total_levels[level] += n
        if level > parent.level + 1:
            by_child_levels[prefix][level] = by_child_levels[prefix].get(level, 0) + n
    by_child_counts: dict[str, dict[str, int]] = defaultdict(dict)
    total_counts: dict[str, int] = {k.key: 0 for k in FIGURES}
    for prefix, key, n in counts:
        if key not in total_counts:
            continue  # a row of a figure no longer registered
        by_child_counts[prefix][key] = by_child_counts[prefix].get(key, 0) + n
        total_counts[key] += n
    parent_rollup = Rollup(parent, dict(total_levels), total_counts)
    child_rollups = [
        Rollup(
            c,
            by_child_levels.get(c.path, {}),
            {k.key: by_child_counts.get(c.path, {}).get(k.key, 0) for k in FIGURES},
        )
        for c in children
    ]
    return parent_rollup, child_rollups
