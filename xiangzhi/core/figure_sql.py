"""The statement of a write's recount (core.figures.refresh): figures that count the same rows of
a node are counted in one scan of them.

A figure's count of the records on one node compiles (core.figure_plan.grouped) to

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
reassemble exactly from its pieces (a DISTINCT, a HAVING, a LIMIT, a window filter...) runs on its
own. A figure's own OR stays inside its <cond>: the node's condition is ANDed to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models.sql.where import AND


@dataclass(frozen=True)
class Pieces:
    """A figure's count of one node's records, taken apart (the module docstring's names); each
    *_params holds the parameters of the piece before it."""

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
        """What figures counted in one statement have in common: all but cond and the measure."""
        shared = ("head", "rows", "node", "groups")
        return tuple(getattr(self, f"{n}{s}") for n in shared for s in ("", "_params"))

    def filled(self, fill) -> Pieces:
        """The same pieces with fill() applied to every tuple of parameters."""
        return replace(
            self,
            **{
                f.name: fill(getattr(self, f.name))
                for f in fields(self)
                if f.name.endswith("_params")
            },
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
    # The reassembly is the proof: a DISTINCT, a LIMIT, a COUNT(DISTINCT x) or a measure's own
    # FILTER would each make a text other than Django's.
    same = (
        again == sql
        and measure_sql == f"{function}({arg})"
        and tuple(measure_params) == pieces.arg_params
        and [*head_params, *measure_params, *rows_params, *cond_params, *groups_params]
        == list(params)
    )
    return pieces if same else None


@dataclass(frozen=True)
class Compiled:
    """A figure's count of one node's records: its own statement, and its pieces when it can be
    merged with others."""

    sql: str
    params: list
    pieces: Pieces | None


def _merged_params(counts: list[Pieces]) -> list:
    first = counts[0]
    return [
        *first.head_params,
        *(x for p in counts for x in (*p.cond_params, *p.arg_params)),
        *first.rows_params,
        *first.node_params,
        *first.groups_params,
    ]


def _merged_sql(counts: list[Pieces]) -> str:
    """One statement that counts these figures' rows (the same `scan`) in one pass: the columns
    _s, _m, then _n0, _n1 ... in the order given (its parameters: _merged_params)."""
    first = counts[0]
    measures = ", ".join(
        f'{p.function}(CASE WHEN ({p.cond}) THEN {p.arg} END) AS "_n{j}"'
        for j, p in enumerate(counts)
    )
    return (
        f"SELECT {first.head}, {measures} FROM {first.rows} WHERE {first.node} "
        f"GROUP BY {first.groups}"
    )


def scans(counts: Iterable[tuple[object, Compiled]]) -> list[list[tuple[object, Compiled]]]:
    """The counts grouped by what they scan, in their first figure's order: counts without pieces
    each alone."""
    groups: dict = {}
    for tag, count in counts:
        key = count.pieces.scan if count.pieces is not None else ("alone", len(groups))
        groups.setdefault(key, []).append((tag, count))
    return list(groups.values())


def union_sql(parts: list[list[Compiled]]) -> str:
    """The UNION ALL of these parts (each one count, or several merged): each row its part's
    number, _s, _m and as many counts as the widest part, NULL beyond the part's own."""
    width = max(len(part) for part in parts)
    selects = []
    for i, part in enumerate(parts):
        if len(part) == 1:
            sql, columns = part[0].sql, ["t._n"]
        else:
            sql = _merged_sql([c.pieces for c in part])
            columns = [f"t._n{j}" for j in range(len(part))]
        columns += ["CAST(NULL AS BIGINT)"] * (width - len(columns))
        selects.append(f"SELECT {i}, t._s, t._m, {', '.join(columns)} FROM ({sql}) t")
    return " UNION ALL ".join(selects)


def union_params(parts: list[list[Compiled]]) -> list:
    """The parameters of union_sql(parts), in its placeholders' order."""
    params = []
    for part in parts:
        params += part[0].params if len(part) == 1 else _merged_params([c.pieces for c in part])
    return params
