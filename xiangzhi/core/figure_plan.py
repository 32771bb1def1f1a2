"""The recount of a write's few nodes as one statement (core/figures.py): each figure's grouped
count compiled once per shape with a stand-in node, the parts over the same rows merged
(core/figure_sql.py), the UNION ALL of them joined once and kept."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, DateField, F, Q, Value
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from . import figure_sql
from .figure_rows import node_id_of
from .registry import Figure


def grouped(figure: Figure, cond: Q, *, per_node: bool = True):
    """The figure's records under cond counted per node (path, level; per_node=False: all
    together), split value and month, in columns of the same names for every figure (so that
    statements can be joined)."""
    qs = figure.queryset().filter(cond)
    qs = qs.annotate(
        # Typed NULLs: PostgreSQL matches the columns' types across the UNION ALL.
        _s=Cast(figure.split_by, CharField())
        if figure.split_by
        else Cast(Value(None), CharField()),
        _m=TruncMonth(figure.date_lookup) if figure.per_period else Cast(Value(None), DateField()),
    )
    if not per_node:
        return qs.values("_s", "_m").annotate(_n=figure.measure()).order_by()
    qs = qs.annotate(_p=F(figure.path_lookup), _l=F(figure.level_lookup))
    return qs.values("_p", "_l", "_s", "_m").annotate(_n=figure.measure()).order_by()


# A write recounts its nodes with the same statements every time: each figure's grouped query is
# compiled once per shape with a stand-in path, and later writes put their node's path in (as
# grid/rollup.py does); every part then runs as one UNION ALL statement. Compiling them through
# the ORM on each write cost more than running them. A one-node recount's joined statement and
# its stand-in parameters are kept too (key ("one", figure keys, vendor), _keep_one), so a write
# only fills in its node's id. All of it is dropped when the day changes (same_day).
_STAND_IN = "zzzzq"  # a path whose id (node_id_of) stands in for the node's
_STAND_IN_ID = node_id_of(_STAND_IN)
templates: dict = {}
_MISSING = object()


def template(figure: Figure, path: str, vendor: str) -> tuple[figure_sql.Compiled, bool]:
    """The figure's grouped count of the records on the node at path, and whether its SQL is the
    same for every node (compiled once). Call same_day() first."""
    key = (figure.key, vendor)
    node = node_id_of(path)

    def fill(params):
        return type(params)(node if p == _STAND_IN_ID else p for p in params)

    cached = templates.get(key, _MISSING)
    if cached is not _MISSING and cached is not None:
        pieces = cached.pieces.filled(fill) if cached.pieces is not None else None
        return figure_sql.Compiled(cached.sql, fill(cached.params), pieces), True
    # The records on one node are selected by its id (the id its path spells): no join with the
    # grid's table, an index range on (node, ...) of the counted table.
    il = figure.path_lookup[: -len("path")] + ("id" if figure.path_lookup != "path" else "pk")

    def compiled(p) -> figure_sql.Compiled:
        query = grouped(figure, Q(**{il: node_id_of(p)}), per_node=False).query
        sql, params = query.sql_with_params()
        pieces = figure_sql.pieces_of(query, connection, sql, params)
        return figure_sql.Compiled(sql, list(params), pieces)

    count = compiled(path)
    if cached is _MISSING:
        # Keep the stand-in version only if it is this very query once filled in.
        stand_in = compiled(_STAND_IN)
        same = stand_in.sql == count.sql and fill(stand_in.params) == count.params
        templates[key] = stand_in if same else None
    return count, False


def same_day() -> None:
    """A figure may compare with today's date (an age, a month): compile again on another day."""
    today = timezone.localdate()
    if templates.get("day") != today:
        templates.clear()
        templates["day"] = today


@dataclass
class RecountPlan:
    """A recount of a few nodes as one UNION ALL statement: its text and parameters, and for each
    part (in the order of its first column) the figures it counts and the node it counts them on.
    `stable`: the text is the same for any nodes (a write's recount)."""

    sql: str
    params: list
    parts: list[tuple[list[Figure], str, int]]
    stable: bool


def recount_plan(nodes: dict[str, int], figures: list[Figure]) -> RecountPlan:
    """Per node, the figures over the same rows in one part (core.figure_sql), the others one
    part each."""
    same_day()
    vendor = connection.vendor
    if len(nodes) == 1:  # a write's recount: the text and parameters kept from the last one
        kept = templates.get(_one_key(figures, vendor))
        if kept is not None:
            [(path, level)] = nodes.items()
            node = node_id_of(path)
            sql, stand_in_params, groups = kept
            params = [node if p == _STAND_IN_ID else p for p in stand_in_params]
            return RecountPlan(sql, params, [(fs, path, level) for fs in groups], True)
    parts, of_part, stable = [], [], True
    for path, level in sorted(nodes.items()):
        compiled = []
        for figure in figures:
            count, same = template(figure, path, vendor)
            stable = stable and same
            compiled.append((figure, count))
        for scan in figure_sql.scans(compiled):
            parts.append([count for _, count in scan])
            of_part.append(([figure for figure, _ in scan], path, level))
    # The text depends on which figures share a part, not on the node: keyed by that, it is
    # joined once (the parameters are the nodes' own every time).
    shape = ("union", tuple(tuple(f.key for f in fs) for fs, _, _ in of_part), vendor)
    union = templates.get(shape)
    if union is None:
        union = figure_sql.union_sql(parts)
        if stable:  # the same statement for any nodes
            templates[shape] = union
    if stable and len(nodes) == 1:
        _keep_one(figures, vendor, union, [fs for fs, _, _ in of_part])
    return RecountPlan(union, figure_sql.union_params(parts), of_part, stable)


def _keep_one(figures: list[Figure], vendor: str, union: str, groups: list[list[Figure]]) -> None:
    """Keep a one-node recount's text and its parameters with the stand-in id (the compiled
    templates'): the next write fills in its node's id, without rebuilding the parts."""
    # .get: another thread's same_day() may have emptied the cache since (a new day).
    compiled = [templates.get((f.key, vendor)) for f in figures]
    if any(c is None for c in compiled):
        return
    stand_in = figure_sql.scans(list(zip(figures, compiled, strict=True)))
    parts = [[count for _, count in scan] for scan in stand_in]
    if [[f for f, _ in scan] for scan in stand_in] != groups or figure_sql.union_sql(
        parts
    ) != union:
        return  # the stand-in does not split into the same parts: rebuild every time
    templates[_one_key(figures, vendor)] = (union, figure_sql.union_params(parts), groups)


def _one_key(figures: list[Figure], vendor: str) -> tuple:
    """Where a one-node recount of these figures is kept in templates."""
    return ("one", tuple(f.key for f in figures), vendor)
