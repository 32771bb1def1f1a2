"""Maintained figures: every registered figure (core.registry.register_figure) kept in two tiers,
so that a page sums a few rows of its subtree instead of counting the people under it, and a
write costs the same whatever the size of its village.

- Fine rows (core.FigureFineCount): per figure key and period, the count of the records hanging
  on one grid node itself (a household's node: tens of records).
- Maintained rows (core.FigureCount), which pages read: at the maintained level
  (XIANGZHI_FIGURES_LEVEL, village by default) the sum of the fine rows of the node's subtree;
  a node above that level keeps rows for its own records. The anchor of a node is its ancestor
  at the maintained level, or the node itself at or above that level.
- A write calls touch(node, ...) in its transaction once its records are written: the touched
  nodes' fine rows are locked, recounted from the records (one statement), rewritten, and each
  difference new - old is added to the anchor's row (an upsert `value = value + d`, in a fixed
  order). Two villages' writes never share a row; two writes on one node queue on its fine rows.
- batch() defers the touches to the end of a block: an import's batch, seed_demo, a service
  (@batched). It also notes the tables the block writes (an execute wrapper reads each INSERT,
  UPDATE and DELETE), and its recount takes only the figures whose SQL reads one of them: a birth
  recounts the registry's figures, not the appeals' or the points'. A touch outside a batch
  recounts every figure. Tests (XIANGZHI_FIGURES_CHECK_SKIPPED) recount the skipped figures too
  and fail when one of them changed.
- verify() recounts both tiers from the records and names every row that differs; fix=True
  repairs them. fill_if_empty() (post_migrate) fills an existing database's rows once.
- XIANGZHI_FIGURES_MAINTAINED=0 switches it all off: nothing is counted and pages count live
  (a moved subtree's rows still follow it, for `verify_figures --fix` to correct later).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Q, Sum, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from . import prepared
from .figure_plan import RecountPlan, grouped, recount_plan
from .figure_rows import (
    CHUNK,
    Row,
    add_to_maintained,
    figure_key,
    fine_kept,
    kept_of,
    kept_statements,
    stored,
    upsert_tiers,
    write,
)
from .figure_writes import ANY_TABLE, Writes
from .models import FigureCount, FigureFineCount
from .paths import ancestor_of
from .registry import Figure, maintained_figures

# Above this many touched nodes a recount reads them with IN lists instead of one part each.
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
    """The path and level of the node whose maintained rows count a record on (path, level)."""
    top = maintained_level()
    if level <= top:
        return path, level
    return ancestor_of(path, level, top), top


def row_key(figure: Figure, split: object = None) -> str:
    return f"{figure.key}:{split}" if figure.split_by else figure.key


# --- touching and batches ---------------------------------------------------------------------

_local = threading.local()


def _pending() -> dict | None:
    return getattr(_local, "pending", None)


def touch(*nodes) -> None:
    """Recount the fine rows of these nodes (GridNode or (path, level)) and carry the difference
    to their anchors' rows, now or at the end of the enclosing batch(). Call it in the write's
    transaction, after the records are written; give both the old and the new node of a record
    that moved. In a batch, only the figures over the tables the batch wrote are recounted: the
    records must be written inside it (module docstring)."""
    if not enabled():
        return
    touched = {}
    for node in nodes:
        if node is None:
            continue
        path, level = node if isinstance(node, tuple) else (node.path, node.level)
        if path:
            touched[path] = level
    pending = _pending()
    if pending is not None:
        pending.update(touched)
    elif touched:
        refresh(touched)


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
    writes = Writes()
    try:
        with connection.execute_wrapper(writes) if not full else nullcontext():
            yield handle
        pending = _local.pending
    finally:
        _local.pending = None
    if handle.discarded or not enabled():
        return
    if full or "__full__" in pending:
        verify(fix=True)
    elif pending:
        refresh(pending, wrote=writes.tables)


# --- what a batch wrote -----------------------------------------------------------------------

_tables_of: dict[str, frozenset[str]] = {}


def tables_of(figure: Figure) -> frozenset[str]:
    """The tables the figure's count reads: every model table (M2M tables included) its SQL
    names, joins and subqueries alike (Django quotes table names on both databases)."""
    found = _tables_of.get(figure.key)
    if found is None:
        sql = grouped(figure, Q()).query.sql_with_params()[0]
        names = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
        found = frozenset(t for t in names if f'"{t}"' in sql)
        _tables_of[figure.key] = found
    return found


def figures_over(tables: set[str] | None) -> list[Figure]:
    """The figures a write of these tables may change. Every figure when the tables are not
    known (None, ANY_TABLE), and when none of them is counted by any figure: a batch that
    touched a node must have written something counted, so a write the wrapper did not see
    (one that bypassed Django's cursor) is recounted in full rather than skipped."""
    figures = maintained_figures()
    if tables is None or ANY_TABLE in tables:
        return figures
    over = [f for f in figures if tables_of(f) & tables]
    return over or figures


def batched(func):
    """A service whose touches (its own and its hooks', e.g. party's follow-up on a household
    change) make one recount at its end: put it under @transaction.atomic."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with batch():
            return func(*args, **kwargs)

    return wrapper


# --- recounting -------------------------------------------------------------------------------


def _period(figure: Figure, month) -> str | None:
    if not figure.per_period:
        return ""
    if month is None:
        return None
    return month_of(month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month)[:10]))


def _add(out: dict, levels: dict, figure: Figure, row) -> None:
    path, level, split, month, n = row
    if not path or not n:
        return
    period = _period(figure, month)
    if period is not None:
        out[(path, row_key(figure, split), period)] += n
        levels[path] = level


def recount_fine(
    *, nodes: dict[str, int] | None = None, under: str = "", figures: list[Figure] | None = None
) -> tuple[dict[Row, int], dict[str, int]]:
    """The fine rows as the records give them, of the nodes given (path -> level) or of every
    node under the path `under` (every node when both are empty); and the level of each path."""
    figures = maintained_figures() if figures is None else figures
    out: dict[Row, int] = defaultdict(int)
    levels: dict[str, int] = dict(nodes or {})
    if nodes is not None and not nodes:
        return {}, levels
    if nodes is not None and len(nodes) <= RANGES_AT_MOST:
        _recount_compiled(out, nodes, figures)
        return dict(out), levels
    for figure in figures:
        if nodes is not None:
            paths = sorted(nodes)
            conds = [
                Q(**{f"{figure.path_lookup}__in": paths[i : i + CHUNK]})
                for i in range(0, len(paths), CHUNK)
            ]
        else:
            conds = [Q(**{f"{figure.path_lookup}__under": under}) if under else Q()]
        for cond in conds:
            for row in grouped(figure, cond).values_list("_p", "_l", "_s", "_m", "_n"):
                _add(out, levels, figure, row)
    return dict(out), levels


def maintained_of(fine: dict[Row, int], levels: dict[str, int]) -> dict[Row, int]:
    """The maintained rows that these fine rows sum to."""
    out: dict[Row, int] = defaultdict(int)
    for (path, key, period), n in fine.items():
        out[(anchor(path, levels[path])[0], key, period)] += n
    return dict(out)


_PREPARE_NODES = 4  # an import's recount of many nodes runs unprepared (it would hold memory)


def _recount_compiled(out: dict, nodes: dict[str, int], figures: list[Figure]) -> None:
    """Count the figures on each node in one statement (figure_plan.recount_plan)."""
    _run_plan(out, recount_plan(nodes, figures), len(nodes))


def _run_plan(out: dict, plan: RecountPlan, nodes: int) -> None:
    # A write's recount (stable text, a node or two) is planned once per PostgreSQL connection.
    rows = prepared.fetch(plan.sql, plan.params, prepare=plan.stable and nodes <= _PREPARE_NODES)
    _count_rows(out, plan, rows)


def _count_rows(out: dict, plan: RecountPlan, rows) -> None:
    levels: dict[str, int] = {}
    for i, split, month, *values in rows:
        scanned, path, level = plan.parts[i]
        # A part of fewer figures than the widest has NULLs after its own values.
        for figure, n in zip(scanned, values[: len(scanned)], strict=True):
            _add(out, levels, figure, (path, level, split, month, n))


class SkippedFigureChanged(AssertionError):
    """A batch skipped a figure that its writes did change (raised where
    XIANGZHI_FIGURES_CHECK_SKIPPED is on: the tests)."""


def refresh(nodes: dict[str, int], *, wrote: set[str] | None = None) -> int:
    """Recount the fine rows of these nodes (path -> level) in the current transaction and add
    their differences to the maintained rows; return how many fine rows changed. With `wrote`
    (the tables the write wrote), only the figures over those tables are recounted."""
    figures = figures_over(wrote)
    every = maintained_figures()
    if len(figures) < len(every) and getattr(settings, "XIANGZHI_FIGURES_CHECK_SKIPPED", False):
        _check_skipped(nodes, [f for f in every if f not in figures], wrote or set())
    keys = None if len(figures) == len(every) else {f.key for f in figures}
    kept, counted = _kept_and_counted(nodes, figures, keys)
    deltas: dict[Row, int] = defaultdict(int)
    fine: dict[Row, int] = {}
    for row in set(counted) | set(kept):
        value = counted.get(row, 0)
        d = value - kept.get(row, (0, 0))[1]
        if d:
            fine[row] = value  # a row that falls to 0 is kept at 0 (verify --fix drops it)
            deltas[(anchor(row[0], nodes[row[0]])[0], row[1], row[2])] += d
    upsert_tiers(fine, deltas)
    return len(fine)


def _kept_and_counted(
    nodes: dict[str, int], figures: list[Figure], keys: set[str] | None
) -> tuple[dict[Row, tuple[int, int]], dict[Row, int]]:
    """The nodes' fine rows, locked, and their recount. A write's few nodes on PostgreSQL: the
    lock, the read and the recount go prepared in one round trip (prepared.fetch_each), the
    recount still running after the lock was granted; else the lock and the read, then the
    recount (a recount whose text is not the same for every node, SQLite, preparing off)."""
    paths = sorted(nodes)
    if not figures or len(paths) > _PREPARE_NODES:
        return fine_kept(paths, keys), recount_fine(nodes=nodes, figures=figures)[0]
    plan = recount_plan(nodes, figures)
    counted: dict[Row, int] = defaultdict(int)
    lock, read, params = kept_statements(paths)
    got = (
        prepared.fetch_each([(lock, params), (read, params), (plan.sql, plan.params)])
        if plan.stable
        else None
    )
    if got is None:
        kept = fine_kept(paths, keys)
        _run_plan(counted, plan, len(paths))
        return kept, dict(counted)
    _, rows, recount = got
    _count_rows(counted, plan, recount)
    return kept_of(rows, keys), dict(counted)


def _check_skipped(nodes: dict[str, int], skipped: list[Figure], wrote: set[str]) -> None:
    kept = fine_kept(sorted(nodes), {f.key for f in skipped})
    counted, _ = recount_fine(nodes=nodes, figures=skipped)
    changed = sorted(
        {
            figure_key(r[1])
            for r in set(kept) | set(counted)
            if counted.get(r, 0) != kept.get(r, (0, 0))[1]
        }
    )
    if changed:
        raise SkippedFigureChanged(
            f"the write of {sorted(wrote)} changed {changed}, whose tables are "
            f"{ {k: sorted(tables_of(f)) for f in skipped if (k := f.key) in changed} }"
        )


def move_subtree(*, old_path: str, new_path: str, level: int) -> None:
    """A grid subtree moved from old_path to new_path (the nodes' paths are rewritten already):
    its fine rows move with it; its maintained rows too when it sits at or above the maintained
    level; below it, the moved fine rows' sums leave the old village's rows for the new one's.
    A subtree that changed township has its daily figures recounted: one may read its township's
    settings (party's 逾期未走访户 reads the township's visit interval).

    With the figures switched off the rows still move: their values wait for
    `verify_figures --fix`, but a row left under its old path would be read as another node's."""
    _move_rows(old_path=old_path, new_path=new_path, level=level)
    if not enabled():
        return
    if level >= 2 and ancestor_of(old_path, level, 1) != ancestor_of(new_path, level, 1):
        recount_subtree(path=new_path, level=level, figures=daily_figures())


def _move_rows(*, old_path: str, new_path: str, level: int) -> None:
    moved = Concat(Value(new_path), Substr("path", len(old_path) + 1))
    FigureFineCount.objects.filter(path__under=old_path).update(path=moved)
    if level <= maintained_level():
        FigureCount.objects.filter(path__under=old_path).update(path=moved)
        return
    old_anchor, new_anchor = anchor(old_path, level)[0], anchor(new_path, level)[0]
    if old_anchor == new_anchor:
        return
    sums = (
        FigureFineCount.objects.filter(path__under=new_path)
        .values_list("key", "period")
        .annotate(n=Sum("value"))
        .order_by()
    )
    deltas: dict[Row, int] = defaultdict(int)
    for key, period, n in sums:
        deltas[(old_anchor, key, period)] -= n
        deltas[(new_anchor, key, period)] += n
    add_to_maintained(deltas)


# --- verifying --------------------------------------------------------------------------------


@dataclass
class Difference:
    path: str
    key: str
    period: str
    kept: int
    counted: int
    fine: bool = False  # a fine row (the node's own records), not a maintained row


def _differences(counted: dict, kept: dict, fine: bool) -> list[Difference]:
    return [
        Difference(r[0], r[1], r[2], kept.get(r, (0, 0))[1], counted.get(r, 0), fine)
        for r in sorted(set(counted) | set(kept))
        if kept.get(r, (0, 0))[1] != counted.get(r, 0)
    ]


def verify(
    *, path: str = "", level: int | None = None, fix: bool = False, figures=None
) -> list[Difference]:
    """Recount both tiers of the subtree at path (of its village when the node is below the
    maintained level; everything when empty) from the records: every fine row against the
    records on its node, every maintained row against the records of its subtree (the sum of
    its fine rows as they should be). Return each row that differs; fix=True repairs them."""
    if path and level is not None and level > maintained_level():
        path = anchor(path, level)[0]
    # Fixing: lock the kept rows before counting, so that a write of the subtree that commits
    # meanwhile waits, then adds its difference to what this wrote (counted first, the fix
    # would write back a count taken before that write).
    kept_fine = stored(FigureFineCount, under=path, figures=figures, lock=fix)
    kept = stored(FigureCount, under=path, figures=figures, lock=fix)
    fine, levels = recount_fine(under=path, figures=figures)
    counted = maintained_of(fine, levels)
    out = _differences(counted, kept, False) + _differences(fine, kept_fine, True)
    if fix and out:
        write(fine, kept_fine, FigureFineCount)
        write(counted, kept, FigureCount)
    return out


def recount_subtree(*, path: str, level: int, figures: list[Figure]) -> int:
    """Recount these figures in the subtree at path and write them, in the current transaction:
    for a change that moves many records across a figure's condition at once with no record
    written (a township's new visit interval, a village moved under another township). Nothing
    when the figures are switched off. Return how many rows changed."""
    if not enabled() or not figures:
        return 0
    return len(verify(path=path, level=level, fix=True, figures=figures))


def fill_if_empty() -> int:
    """Fill both tiers when the fine rows are empty: a database that predates them (or the
    maintained rows) is right after `migrate`. Return how many rows differed."""
    if not enabled() or FigureFineCount.objects.exists():
        return 0
    return len(verify(fix=True))


def daily_figures() -> list[Figure]:
    return [f for f in maintained_figures() if f.daily]


def refresh_daily() -> int:
    """Recount the figures that depend on the date (ages): the worker runs it every day."""
    figures = daily_figures()
    if not figures or not enabled():
        return 0
    return len([d for d in verify(fix=True, figures=figures) if not d.fine])
