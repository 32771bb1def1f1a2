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
from django.db.models import Count, Q, Value
from django.db.models.functions import Concat, Substr, TruncMonth
from django.utils import timezone

from .models import FigureCount
from .paths import SEGMENT
from .registry import Figure, maintained_figures

Row = tuple[str, str, str]  # (anchor path, key, period)
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


def recount(
    *, anchors: dict[str, int] | None = None, under: str = "", figures: list[Figure] | None = None
) -> dict[Row, int]:
    """The figure rows as the records give them: of the anchors given (path -> level), or of
    every anchor under the path `under` (every anchor when both are empty)."""
    top = maintained_level()
    figures = maintained_figures() if figures is None else figures
    if anchors is not None and not anchors:
        return {}
    out: dict[Row, int] = defaultdict(int)
    for figure in figures:
        pl, ll = figure.path_lookup, figure.level_lookup
        qs = figure.queryset()
        if anchors is not None and len(anchors) <= RANGES_AT_MOST:
            cond = Q()
            for path, level in anchors.items():
                cond |= Q(**{f"{pl}__under": path}) if level == top else Q(**{pl: path})
            qs = qs.filter(cond)
        elif anchors is not None:
            qs = qs.filter(**{f"{pl}__under": _common_prefix(anchors)})
        elif under:
            qs = qs.filter(**{f"{pl}__under": under})
        fields = [pl, ll]
        if figure.split_by:
            fields.append(figure.split_by)
        if figure.per_period:
            qs = qs.annotate(_month=TruncMonth(figure.date_lookup))
            fields.append("_month")
        for values in (
            qs.values(*fields).annotate(_n=Count("pk")).order_by().values_list(*fields, "_n")
        ):
            path, level = values[0], values[1]
            if not path:
                continue
            a_path, _ = anchor(path, level)
            if anchors is not None and a_path not in anchors:
                continue
            split = values[2] if figure.split_by else None
            period = _period(figure, values[-2]) if figure.per_period else ""
            if period is None:
                continue
            out[(a_path, row_key(figure, split), period)] += values[-1]
    return dict(out)


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
    if len(changed) > 20:
        FigureCount.objects.bulk_update(
            [FigureCount(pk=pk, value=v) for pk, v in changed], ["value"], batch_size=500
        )
    else:
        for pk, v in changed:
            FigureCount.objects.filter(pk=pk).update(value=v)
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
    kept = stored(anchors=anchors, lock=connection.vendor != "sqlite")
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
