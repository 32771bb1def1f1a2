"""The stored rows of the maintained figures (core/figures.py): reading, locking and writing the
two tiers (core.FigureFineCount per node, core.FigureCount at the maintained level).

On PostgreSQL a write's refresh sends its statements in as few round trips as their order allows:
the lock and the read of the fine rows (kept_statements) go with the recount, prepared, in one
pipeline (core/figures.py, core.prepared.fetch_each), or, where preparing is off, as one query of
two statements (fine_kept); the two tiers' upserts go as one query of two statements. Each
statement still runs on its own snapshot (READ COMMITTED), so the read after the lock sees what a
write it waited for inserted, as two calls would."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from .models import FigureCount, FigureFineCount
from .paths import SEGMENT
from .registry import Figure

Row = tuple[str, str, str]  # (node path, key, period)
TABLE = FigureCount._meta.db_table
FINE = FigureFineCount._meta.db_table
CHUNK = 400


def node_id_of(path: str) -> int:
    """The grid node's id, which its path's last segment spells in base 36."""
    return int(path[-SEGMENT:], 36)


def _keys_filter(figures: list[Figure] | None) -> Q:
    if figures is None:
        return Q()
    cond = Q(pk__in=[])
    for f in figures:
        cond |= Q(key__startswith=f"{f.key}:") if f.split_by else Q(key=f.key)
    return cond


def stored(
    model=FigureCount, *, under: str = "", figures: list[Figure] | None = None, lock: bool = False
) -> dict[Row, tuple[int, int]]:
    """The kept rows of one tier: (path, key, period) -> (id, value)."""
    qs = model.objects.filter(_keys_filter(figures))
    if under:
        qs = qs.filter(path__under=under)
    if lock:
        qs = qs.select_for_update().order_by("path", "key", "period")
    return {
        (p, k, per): (pk, v)
        for pk, p, k, per, v in qs.values_list("pk", "path", "key", "period", "value")
    }


def write(expected: dict[Row, int], kept: dict[Row, tuple[int, int]], model=FigureCount) -> int:
    """Make the kept rows of one tier equal the expected ones; return how many rows changed."""
    changed = [(kept[r][0], v) for r, v in expected.items() if r in kept and kept[r][1] != v]
    new = [r for r in expected if r not in kept]
    gone = [pk for r, (pk, _) in kept.items() if r not in expected]
    if changed:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {model._meta.db_table} SET value = %s WHERE id = %s",
                [(v, pk) for pk, v in changed],
            )
    # The rows gone first: one kept under a stale path holds the (node, key, period) a new one
    # takes.
    for i in range(0, len(gone), 500):
        model.objects.filter(pk__in=gone[i : i + 500]).delete()
    if new:
        model.objects.bulk_create(
            [
                model(node_id=node_id_of(p), path=p, key=k, period=per, value=expected[(p, k, per)])
                for p, k, per in new
            ],
            batch_size=500,
        )
    return len(changed) + len(new) + len(gone)


def figure_key(row_key_: str) -> str:
    return row_key_.partition(":")[0]


def kept_statements(paths: list[str]) -> tuple[str, str, list]:
    """The lock (in a fixed order) and the read of these nodes' fine rows, and their parameters
    (each statement takes them once): at most CHUNK paths."""
    where = f"WHERE path IN ({', '.join(['%s'] * len(paths))})"
    lock = f'SELECT id FROM {FINE} {where} ORDER BY path, "key", period FOR UPDATE'
    return lock, f'SELECT id, path, "key", period, value FROM {FINE} {where}', list(paths)


def kept_of(rows, keys: set[str] | None = None) -> dict[Row, tuple[int, int]]:
    """The read's rows (kept_statements) of these figure keys (all when None)."""
    return {
        (p, k, per): (pk, v) for pk, p, k, per, v in rows if keys is None or figure_key(k) in keys
    }


def fine_kept(paths: list[str], keys: set[str] | None = None) -> dict[Row, tuple[int, int]]:
    """The fine rows of these nodes (of these figure keys; all when None), locked first in a
    fixed order (PostgreSQL; SQLite has one writer), then read in a new statement: one that
    waited sees what the other write inserted."""
    kept = {}
    for i in range(0, len(paths), CHUNK):
        lock, read, params = kept_statements(paths[i : i + CHUNK])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"{lock}; {read}", [*params, *params])
                cursor.nextset()
            else:
                cursor.execute(read, params)
            kept.update(kept_of(cursor.fetchall(), keys))
    return kept


def _upserts(table: str, values: dict[Row, int], *, add: bool) -> list[tuple[str, list]]:
    """The statements that set (add=False) or add to (add=True) these rows' values, inserting the
    missing ones, in the order of the rows: two writes in one village lock their common rows in
    the same order."""
    rows = sorted((r, v) for r, v in values.items() if v or not add)
    new = f"{table}.value + excluded.value" if add else "excluded.value"
    out = []
    for i in range(0, len(rows), 200):
        chunk = rows[i : i + 200]
        holders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        out.append(
            (
                f'INSERT INTO {table} (node_id, path, "key", period, value) VALUES {holders} '
                f'ON CONFLICT (node_id, "key", period) DO UPDATE SET value = {new}',
                [x for (p, k, per), v in chunk for x in (node_id_of(p), p, k, per, v)],
            )
        )
    return out


def _run(statements: list[tuple[str, list]]) -> None:
    # Joined, they pass a batch's execute wrapper (core/figure_writes.py) as one statement, which
    # notes the first table only: refresh runs after the batch has taken the tables it wrote.
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one round trip (client-side binding)
            cursor.execute(
                "; ".join(s for s, _ in statements), [x for _, p in statements for x in p]
            )
        else:
            for sql, params in statements:
                cursor.execute(sql, params)


def upsert_tiers(fine: dict[Row, int], deltas: dict[Row, int]) -> None:
    """Set these fine rows, then add these differences to the maintained rows."""
    _run(_upserts(FINE, fine, add=False) + _upserts(TABLE, deltas, add=True))


def add_to_maintained(deltas: dict[Row, int]) -> None:
    """Add each difference to its maintained row (inserted when missing)."""
    _run(_upserts(TABLE, deltas, add=True))
