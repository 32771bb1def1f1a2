"""The statement of a write's recount (core.figures.refresh): figures that count the same rows of
a node are counted in one scan of them.

A figure's count of the records on one node compiles (core.figures._grouped) to

    SELECT <split>, <month>, F(x) AS "_n" FROM <rows> WHERE <cond> GROUP BY <groups>

where <rows> is the counted table with its joins and <cond> ends with the node's condition, ANDed
to the figure's own. The registry's groups (60岁以上, 80岁以上, 人数 over the residents; 独居老人,
留守儿童, 残疾人 over the residents and their tags) differ only in <cond>. Figures whose <rows>,
<split>, <month>, <groups> and node condition are the same text count the same rows, and are
merged into one statement:

    SELECT <split>, <month>, F1(CASE WHEN (<cond1>) THEN x1 END) AS "_n0", ... FROM <rows>
    WHERE <node condition> GROUP BY <groups>

Each count is the figure's own: a row of <rows> adds to a figure's count exactly when the figure's
condition holds, as in its own statement. The node's condition is the last conjunct of every
<cond>, so the rows it drops are rows no figure counts; a group of rows that no figure counts
comes back with counts of 0 (or NULL sums), which add nothing. A figure whose statement does not
reassemble exactly from its pieces (a DISTINCT, a HAVING, an OR at the top of its condition...)
runs on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models.sql.where import AND


@dataclass(frozen=True)
class Pieces:
    """A figure's count of one node's records, taken apart (the module docstring's names)."""

    head: str  # the split and month columns, with their aliases
    head_params: tuple
    rows: str
    rows_params: tuple
    cond: str
    cond_params: tuple
    node: str  # the node's condition: the last conjunct of cond
    node_params: tuple
    function: str
    arg: str
    arg_params: tuple
    groups: str
    groups_params: tuple

    @property
    def scan(self) -> tuple:
        """What figures counted in one statement have in common."""
        return (
            self.head,
            self.head_params,
            self.rows,
            self.rows_params,
            self.node,
            self.node_params,
            self.groups,
            self.groups_params,
        )

    def filled(self, fill) -> Pieces:
        """The same pieces with fill() applied to every list of parameters."""
        return Pieces(
            self.head,
            fill(self.head_params),
            self.rows,
            fill(self.rows_params),
            self.cond,
            fill(self.cond_params),
            self.node,
            fill(self.node_params),
            self.function,
            self.arg,
            fill(self.arg_params),
            self.groups,
            fill(self.groups_params),
        )


def pieces_of(query, connection, sql: str, params) -> Pieces | None:
    """The pieces of the grouped count `query` compiles to (sql, params), or None when the
    statement is not exactly their reassembly."""
    compiler = query.get_compiler(connection=connection)
    try:
        _, _, group_by = compiler.pre_sql_setup()
        rows, rows_params = compiler.get_from_clause()
        where = compiler.where
        if where is None or where.connector != AND or where.negated or not where.children:
            return None
        cond, cond_params = compiler.compile(where)
        node, node_params = compiler.compile(where.children[-1])
        columns = {alias: (expr, sql_params) for expr, sql_params, alias in compiler.select}
        if list(columns) != ["_s", "_m", "_n"] or compiler.having is not None:
            return None
        measure, (measure_sql, measure_params) = columns.pop("_n")
        arg, arg_params = compiler.compile(measure.get_source_expressions()[0])
    except (EmptyResultSet, FullResultSet, AttributeError, IndexError, TypeError):
        return None
    qn = connection.ops.quote_name
    head = ", ".join(f"{s} AS {qn(alias)}" for alias, (_, (s, _)) in columns.items())
    head_params = tuple(p for _, (_, ps) in columns.values() for p in ps)
    groups = ", ".join(g for g, _ in group_by)
    groups_params = tuple(p for _, ps in group_by for p in ps)
    function = getattr(measure, "function", None)
    pieces = Pieces(
        head,
        head_params,
        " ".join(rows),
        tuple(rows_params),
        cond,
        tuple(cond_params),
        node,
        tuple(node_params),
        function,
        arg,
        tuple(arg_params),
        groups,
        groups_params,
    )
    again = (
        f"SELECT {head}, {measure_sql} AS {qn('_n')} FROM {pieces.rows} WHERE {cond} "
        f"GROUP BY {groups}"
    )
    same = (
        not query.distinct
        and again == sql
        and measure_sql == f"{function}({arg})"
        and tuple(measure_params) == pieces.arg_params
        and [*head_params, *measure_params, *rows_params, *cond_params, *groups_params]
        == list(params)
        and not getattr(measure, "distinct", False)
        and getattr(measure, "filter", None) is None
    )
    return pieces if same else None


@dataclass(frozen=True)
class Count:
    """A figure's count of one node's records: its own statement, and its pieces when it can be
    merged with others."""

    sql: str
    params: list
    pieces: Pieces | None


def merged(counts: list[Pieces], *, text: bool = True) -> tuple[str, list]:
    """One statement that counts these figures' rows (the same `scan`) in one pass: the columns
    _s, _m, then _n0, _n1 ... in the order given; with text=False, its parameters alone."""
    first = counts[0]
    params = [
        *first.head_params,
        *(x for p in counts for x in (*p.cond_params, *p.arg_params)),
        *first.rows_params,
        *first.node_params,
        *first.groups_params,
    ]
    if not text:
        return "", params
    measures = ", ".join(
        f'{p.function}(CASE WHEN ({p.cond}) THEN {p.arg} END) AS "_n{j}"'
        for j, p in enumerate(counts)
    )
    sql = (
        f"SELECT {first.head}, {measures} FROM {first.rows} WHERE {first.node} "
        f"GROUP BY {first.groups}"
    )
    return sql, params


def scans(counts: Iterable[tuple[object, Count]]) -> list[list[tuple[object, Count]]]:
    """The counts grouped by what they scan, in their first figure's order: counts without pieces
    each alone."""
    groups: dict = {}
    for tag, count in counts:
        key = count.pieces.scan if count.pieces is not None else ("alone", len(groups))
        groups.setdefault(key, []).append((tag, count))
    return list(groups.values())


def union(parts: list[list[Count]], *, text: bool = True) -> tuple[str, list]:
    """The UNION ALL of these parts (each one count, or several merged), each row its part's
    number, _s, _m and as many counts as the widest part (NULL beyond the part's own); with
    text=False (the caller has the text of the same parts), its parameters alone."""
    width = max(len(part) for part in parts)
    selects, params = [], []
    for i, part in enumerate(parts):
        if len(part) == 1:
            sql, more = part[0].sql, part[0].params
            columns = ["t._n"]
        else:
            sql, more = merged([c.pieces for c in part], text=text)
            columns = [f"t._n{j}" for j in range(len(part))]
        params += more
        if text:
            columns += ["CAST(NULL AS BIGINT)"] * (width - len(columns))
            selects.append(f"SELECT {i}, t._s, t._m, {', '.join(columns)} FROM ({sql}) t")
    return " UNION ALL ".join(selects), params
