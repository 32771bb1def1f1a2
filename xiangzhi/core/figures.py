"""Maintained figures: every registered figure (core.registry.register_figure) kept as rows of
core.FigureCount at the maintained level (XIANGZHI_FIGURES_LEVEL, village by default), so that a
page sums a few rows of its subtree instead of counting the people under it.

- The anchor of a record is the ancestor of its node at the maintained level, or the node itself
  when it sits at or above that level. An anchor's rows count the records of its whole subtree
  (at the maintained level) or of the node alone (above it), per figure key and period.
- A write recounts the rows of the anchors it touched, in its own transaction: the service calls
  touch(node, ...) once its records are written. The recount is exact by construction (a few
  indexed COUNTs over one village), and the rows of one village are locked first, so two writes
  in one village queue on that village's rows and writes in two villages never share a row.
- batch() defers the recounts to the end of a block: an import's batch, seed_demo.
- verify() recounts from the records and names every row that differs; fix=True repairs them.
- XIANGZHI_FIGURES_MAINTAINED=0 switches it all off: nothing is written and pages count live.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Count, DateField, F, Q, Value
from django.db.models.functions import Cast, Concat, Substr, TruncMonth
from django.utils import timezone

from .models import FigureCount
from .paths import SEGMENT, next_prefix
from .registry import Figure, maintained_figures

Row = tuple[str, str, str]  # (anchor path, key, period)
_TABLE = FigureCount._meta.db_table
# Above this many anchors a recount reads their common subtree once instead of one range each.
RANGES_AT_MOST = 16


def enabled() -> bool:
    return getattr(settings, "XIANGZHI_FIGURES_MAINTAINED", True)


def maintained_level() -> int:
    return getattr(settings, "XIANGZHI_FIGURES_LEVEL", 2)


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def current_period() -> str:
    return month_of(timezone.localdate())


def anchor(path: str, level: int) -> tuple[str, int]:
    """The path and level of the node whose rows count a record on the node (path, level)."""
    top = maintained_level()
    if level <= top:
        return path, level
    return path[: len(path) - (level - top) * SEGMENT], top


def node_id_of(path: str) -> int:
    """The grid node's id, which its path's last segment spells in base 36."""
    return int(path[-SEGMENT:], 36)


def row_key(figure: Figure, split: object = None) -> str:
    return f"{figure.key}:{split}" if figure.split_by else figure.key


# --- touching and batches ---------------------------------------------------------------------

_local = threading.local()


def _pending() -> dict | None:
    return getattr(_local, "pending", None)


def touch(*nodes) -> None:
    """Recount the rows of the anchors of these nodes (GridNode or (path, level)), now or at the
    end of the enclosing batch(). Call it in the write's transaction, after the records are
    written; give both the old and the new node of a record that moved."""
    if not enabled():
        return
    anchors = {}
    for node in nodes:
        if node is None:
            continue
        path, level = node if isinstance(node, tuple) else (node.path, node.level)
        if path:
            a_path, a_level = anchor(path, level)
            anchors[a_path] = a_level
    pending = _pending()
    if pending is not None:
        pending.update(anchors)
    elif anchors:
        refresh(anchors)


class Batch:
    def __init__(self, full: bool) -> None:
        self.full = full
        self.discarded = False

    def discard(self) -> None:
        """Nothing will be kept (a dry run rolls back): skip the recount at the end."""
        self.discarded = True


@contextmanager
def batch(*, full: bool = False) -> Iterator[Batch]:
    """Defer touch() inside the block to one recount at its end (full=True: of every figure row,
    for writers that insert records in bulk without touching, as seed_demo does). Use it inside
    the write's transaction; an exception skips the recount (the transaction rolls back)."""
    outer = _pending()
    handle = Batch(full)
    if outer is not None:  # nested: the outermost batch recounts
        yield handle
        if full:
            outer["__full__"] = 0
        return
    _local.pending = {}
    try:
        yield handle
        pending = _local.pending
    finally:
        _local.pending = None
    if handle.discarded or not enabled():
        return
    if full or "__full__" in pending:
        verify(fix=True)
    elif pending:
        refresh(pending)


# --- recounting -------------------------------------------------------------------------------


def _period(figure: Figure, month) -> str | None:
    if not figure.per_period:
        return ""
    if month is None:
        return None
    return month_of(month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month)[:10]))


def _grouped(figure: Figure, cond: Q, *, per_node: bool = True):
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
        return qs.values("_s", "_m").annotate(_n=Count("pk")).order_by()
    qs = qs.annotate(_p=F(figure.path_lookup), _l=F(figure.level_lookup))
    return qs.values("_p", "_l", "_s", "_m").annotate(_n=Count("pk")).order_by()


def _add(out: dict, figure: Figure, row, anchors: dict[str, int] | None) -> None:
    path, level, split, month, n = row
    if not path or not n:
        return
    a_path, _ = anchor(path, level)
    if anchors is not None and a_path not in anchors:
        return
    period = _period(figure, month)
    if period is not None:
        out[(a_path, row_key(figure, split), period)] += n


def _cond(figure: Figure, path: str, level: int) -> Q:
    """The records an anchor's rows count: its subtree at the maintained level, its node alone
    above it."""
    pl = figure.path_lookup
    return Q(**{f"{pl}__under": path}) if level >= maintained_level() else Q(**{pl: path})


def recount(
    *, anchors: dict[str, int] | None = None, under: str = "", figures: list[Figure] | None = None
) -> dict[Row, int]:
    """The figure rows as the records give them: of the anchors given (path -> level), or of
    every anchor under the path `under` (every anchor when both are empty)."""
    figures = maintained_figures() if figures is None else figures
    if anchors is not None and not anchors:
        return {}
    out: dict[Row, int] = defaultdict(int)
    if anchors is not None and len(anchors) <= RANGES_AT_MOST:
        _recount_compiled(out, anchors, figures)
        return dict(out)
    for figure in figures:
        if anchors is not None:
            cond = Q(**{f"{figure.path_lookup}__under": _common_prefix(anchors)})
        else:
            cond = Q(**{f"{figure.path_lookup}__under": under}) if under else Q()
        for row in _grouped(figure, cond).values_list("_p", "_l", "_s", "_m", "_n"):
            _add(out, figure, row, anchors)
    return dict(out)


# A write recounts its village with the same statements every time: each figure's grouped query
# is compiled once per shape with a stand-in path, and later writes put their anchor's path in
# (as grid/rollup.py does); every part then runs as one UNION ALL statement. Compiling them
# through the ORM on each write cost more than running them.
_STAND_IN = "z" * 36 + "q"
_templates: dict = {}
_MISSING = object()


def _template(figure: Figure, exact: bool, path: str, level: int) -> tuple[str, list]:
    today = timezone.localdate()  # a figure may compare with today's date (an age, a month)
    if _templates.get("day") != today:
        _templates.clear()
        _templates["day"] = today
    key = (figure.key, exact, connection.vendor)
    upper = next_prefix(path)
    level = level if exact else maintained_level()
    fill = {_STAND_IN: path, next_prefix(_STAND_IN): upper}

    def filled(template: list) -> list:
        return [fill.get(p, p) if isinstance(p, str) else p for p in template]

    cached = _templates.get(key, _MISSING)
    if cached is _MISSING or cached is None or upper is None:
        sql, params = _grouped(
            figure, _cond(figure, path, level), per_node=False
        ).query.sql_with_params()
        if cached is _MISSING and upper is not None:
            # Keep the stand-in version only if it is this very query once filled in.
            t_sql, t_params = _grouped(
                figure, _cond(figure, _STAND_IN, level), per_node=False
            ).query.sql_with_params()
            same = t_sql == sql and filled(list(t_params)) == list(params)
            _templates[key] = (t_sql, list(t_params)) if same else None
        return sql, list(params)
    return cached[0], filled(cached[1])


def _recount_compiled(out: dict, anchors: dict[str, int], figures: list[Figure]) -> None:
    parts, params, of_part = [], [], []
    top = maintained_level()
    for figure in figures:
        for path, level in sorted(anchors.items()):
            sql, more = _template(figure, level < top, path, level)
            parts.append(f"SELECT {len(parts)}, t._s, t._m, t._n FROM ({sql}) t")
            params += more
            of_part.append((figure, path, level))
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    for i, split, month, n in rows:
        figure, path, level = of_part[i]
        _add(out, figure, (path, level, split, month, n), anchors)


def _common_prefix(anchors: dict[str, int]) -> str:
    paths = sorted(anchors)
    first, last = paths[0], paths[-1]
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[: n - n % SEGMENT]


def _keys_filter(figures: list[Figure] | None) -> Q:
    if figures is None:
        return Q()
    cond = Q(pk__in=[])
    for f in figures:
        cond |= Q(key__startswith=f"{f.key}:") if f.split_by else Q(key=f.key)
    return cond


def stored(
    *,
    anchors: Iterable[str] | None = None,
    under: str = "",
    figures: list[Figure] | None = None,
    lock: bool = False,
) -> dict[Row, tuple[int, int]]:
    """The kept rows: (path, key, period) -> (id, value)."""
    qs = FigureCount.objects.filter(_keys_filter(figures))
    if anchors is not None:
        qs = qs.filter(path__in=sorted(anchors))
    elif under:
        qs = qs.filter(path__under=under)
    if lock:
        qs = qs.select_for_update().order_by("path", "key", "period")
    return {
        (p, k, per): (pk, v)
        for pk, p, k, per, v in qs.values_list("pk", "path", "key", "period", "value")
    }


def write(expected: dict[Row, int], kept: dict[Row, tuple[int, int]]) -> int:
    """Make the kept rows equal the expected ones; return how many rows changed."""
    changed = [(kept[r][0], v) for r, v in expected.items() if r in kept and kept[r][1] != v]
    new = [r for r in expected if r not in kept]
    gone = [pk for r, (pk, _) in kept.items() if r not in expected]
    if changed:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {_TABLE} SET value = %s WHERE id = %s", [(v, pk) for pk, v in changed]
            )
    if new:
        FigureCount.objects.bulk_create(
            [
                FigureCount(
                    node_id=node_id_of(p), path=p, key=k, period=per, value=expected[(p, k, per)]
                )
                for p, k, per in new
            ],
            batch_size=500,
        )
    for i in range(0, len(gone), 500):
        FigureCount.objects.filter(pk__in=gone[i : i + 500]).delete()
    return len(changed) + len(new) + len(gone)


def refresh(anchors: dict[str, int]) -> int:
    """Recount the rows of these anchors (path -> level) in the current transaction. Their rows
    are locked first, so that a concurrent write in the same village waits and then counts what
    this one wrote (on PostgreSQL; SQLite has one writer at a time anyway)."""
    lock = " ORDER BY path, key, period FOR UPDATE" if connection.vendor != "sqlite" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT id, path, "key", period, value FROM {_TABLE} '
            f"WHERE path IN ({', '.join(['%s'] * len(anchors))}){lock}",
            sorted(anchors),
        )
        kept = {(p, k, per): (pk, v) for pk, p, k, per, v in cursor.fetchall()}
    return write(recount(anchors=anchors), kept)


def move_subtree(*, old_path: str, new_path: str, level: int) -> None:
    """A grid subtree moved from old_path to new_path (the nodes' paths are rewritten already):
    rows at or above the maintained level move with it; below it, the two villages recount."""
    if not enabled():
        return
    if level <= maintained_level():
        FigureCount.objects.filter(path__under=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
    else:
        touch((old_path, level), (new_path, level))


# --- verifying --------------------------------------------------------------------------------


@dataclass
class Difference:
    path: str
    key: str
    period: str
    kept: int
    counted: int


def verify(
    *, path: str = "", level: int | None = None, fix: bool = False, figures=None
) -> list[Difference]:
    """Recount the figure rows of the subtree at path (every row when empty) from the records
    and return every row that differs from the kept one; fix=True writes the counted values."""
    if path and level is not None and level > maintained_level():
        anchors = dict([anchor(path, level)])
        counted, kept = (
            recount(anchors=anchors, figures=figures),
            stored(anchors=anchors, figures=figures, lock=fix),
        )
    else:
        counted = recount(under=path, figures=figures)
        kept = stored(under=path, figures=figures, lock=fix)
    out = [
        Difference(r[0], r[1], r[2], kept.get(r, (0, 0))[1], counted.get(r, 0))
        for r in sorted(set(counted) | set(kept))
        if kept.get(r, (0, 0))[1] != counted.get(r, 0)
    ]
    if fix and out:
        write(counted, kept)
    return out


def daily_figures() -> list[Figure]:
    return [f for f in maintained_figures() if f.daily]


def refresh_daily() -> int:
    """Recount the figures that depend on the date (ages): the worker runs it every day."""
    figures = daily_figures()
    if not figures or not enabled():
        return 0
    return len(verify(fix=True, figures=figures))
