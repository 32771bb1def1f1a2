"""A write's recount counts the figures over the same rows in one scan (core/figure_sql.py), and
each merged count is the figure's own."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import CharField, Count, DateField, Q, Value
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_id
from xiangzhi.core import figure_plan, figure_sql, figures
from xiangzhi.core.registry import Figure, maintained_figures
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Resident
from xiangzhi.people.services import ResidentData, resident_add, resident_record_death
from xiangzhi.people.workbench import years_before


def _add(world, household, name: str, born: dt.date, tags: list[str]) -> Resident:
    return resident_add(
        actor=world.admin,
        household=household,
        kind="move_in",
        data=ResidentData(
            name=name, gender="F", birth_date=born, id_number=make_id(born, "F"), tags=tags
        ),
    )


def test_the_registrys_figures_over_the_residents_are_counted_in_one_scan_each(world, settings):
    settings.XIANGZHI_FIGURES_CHECK_SKIPPED = False  # the tests' second recount, of the others
    node = world.a.household.node
    figure_plan.same_day()
    over = figures.figures_over({"people_resident", "party_followup"})
    counts = [(f, figure_plan.template(f, node.path, connection.vendor)[0]) for f in over]
    scans = [{f.key for f, _ in scan} for scan in figure_sql.scans(counts)]
    assert {"residents", "age_60_plus", "age_80_plus"} in scans
    assert {"living_alone", "left_behind", "disabled"} in scans
    assert {"party_members", "contact_members"} in scans
    assert len(scans) < len(over)
    # A birth runs them so: one statement, a part per scan.
    with CaptureQueriesContext(connection) as queries:
        _add(world, world.a.household, "甲新来", dt.date(2001, 5, 6), ["disabled"])
    recount = [q["sql"] for q in queries if "UNION ALL" in q["sql"] and "CASE WHEN" in q["sql"]]
    assert len(recount) == 1
    assert recount[0].count("UNION ALL") == len(scans) - 1


def test_each_merged_count_is_the_figures_own_count_on_every_node(world):
    today = timezone.localdate()
    home, other = world.a.household, world.a.other_household
    # Residents with one tag, two tags, a tag and an age, and the dead who keep their tags.
    _add(world, home, "甲独居", years_before(today, 82), ["elderly_living_alone"])
    _add(world, home, "甲两签", dt.date(2015, 1, 2), ["left_behind_child", "disabled"])
    gone = _add(world, other, "甲已故", years_before(today, 90), ["elderly_living_alone"])
    resident_record_death(actor=world.admin, resident=gone, occurred_on=today)
    _add(world, other, "甲残疾", years_before(today, 61), ["disabled"])
    every = maintained_figures()
    # Each figure's own statement, as verify_figures runs it: every node of the township at once.
    own, _ = figures.recount_fine(under=world.township.path, figures=every)
    merged_somewhere = False
    for node in GridNode.objects.filter(path__startswith=world.township.path):
        counted, _ = figures.recount_fine(nodes={node.path: node.level}, figures=every)
        assert counted == {k: n for k, n in own.items() if k[0] == node.path}, node.name
        merged_somewhere |= any(k[1] in {"living_alone", "disabled"} for k in counted)
    assert merged_somewhere  # the nodes above do hold the tagged residents


def test_a_count_that_does_not_come_apart_exactly_runs_on_its_own(world):
    def distinct_residents():
        return Resident.objects.filter(status=Resident.Status.ACTIVE).distinct()

    def counted_in_two_places():
        return Resident.objects.filter(Q(status="active") | Q(tags__code="disabled"))

    node = world.a.household.node
    for queryset, mergeable in [
        (distinct_residents, False),
        (counted_in_two_places, True),  # an OR inside the figure's own condition is kept whole
    ]:
        figure = Figure("x", "x", queryset, "node__path")
        query = figure_plan.grouped(figure, Q(node_id=node.pk), per_node=False).query
        sql, params = query.sql_with_params()
        pieces = figure_sql.pieces_of(query, connection, sql, params)
        assert (pieces is not None) is mergeable
    # A count with its own filter is not a plain measure: alone.
    query = (
        Resident.objects.filter(node_id=node.pk)
        .annotate(_s=Cast(Value(None), CharField()), _m=Cast(Value(None), DateField()))
        .values("_s", "_m")
        .annotate(_n=Count("pk", filter=Q(gender="F")))
        .order_by()
        .query
    )
    sql, params = query.sql_with_params()
    assert figure_sql.pieces_of(query, connection, sql, params) is None


def test_pieces_are_taken_only_from_the_very_statement_they_reassemble_into(world):
    figure = next(f for f in maintained_figures() if f.key == "residents")
    query = figure_plan.grouped(figure, Q(node_id=world.a.node.pk), per_node=False).query
    sql, params = query.sql_with_params()
    assert figure_sql.pieces_of(query, connection, sql, params) is not None
    # Anything the pieces do not hold: a clause more, other parameters.
    assert figure_sql.pieces_of(query, connection, f"{sql} LIMIT 5", params) is None
    assert figure_sql.pieces_of(query, connection, sql, [*params[:-1], -1]) is None


def test_figures_over_other_rows_or_other_groups_get_parts_of_their_own(world):
    figure_plan.same_day()
    node = world.a.household.node
    every = maintained_figures()
    compiled = [(f, figure_plan.template(f, node.path, connection.vendor)[0]) for f in every]
    part_of = {f.key: i for i, scan in enumerate(figure_sql.scans(compiled)) for f, _ in scan}
    # The households, the residents, and the residents with their tags are other rows.
    assert len({part_of["households"], part_of["residents"], part_of["living_alone"]}) == 3
    # A figure per month groups its rows by month: not with the standing counts of its table.
    monthly = [f for f in every if f.per_period]
    assert monthly
    for figure in monthly:
        standing = [
            f for f in every if not f.per_period and f.queryset().model is figure.queryset().model
        ]
        assert all(part_of[figure.key] != part_of[f.key] for f in standing), figure.key


def test_a_one_node_recount_is_built_once_and_filled_with_each_nodes_id(world):
    figure_plan.same_day()
    over = figures.figures_over({"people_resident", "party_followup"})
    key = ("one", tuple(f.key for f in over), connection.vendor)
    first, second = world.a.household.node, world.a.other_household.node
    assert first.pk != second.pk
    for figure in over:  # the figures' own templates, compiled once today
        figure_plan.template(figure, first.path, connection.vendor)
    figure_plan.templates.pop(key, None)
    built = figure_plan.recount_plan({first.path: first.level}, over)  # builds and keeps it
    assert built.stable and key in figure_plan.templates
    kept = figure_plan.recount_plan({second.path: second.level}, over)  # from what was kept
    # Built anew for the second node, as every write did before: the same statement.
    figure_plan.templates.pop(key)
    anew = figure_plan.recount_plan({second.path: second.level}, over)
    assert (kept.sql, kept.params, kept.parts) == (anew.sql, anew.params, anew.parts)
    assert kept.params != built.params
    # And the counts it gives are the node's own.
    counted, _ = figures.recount_fine(nodes={second.path: second.level}, figures=over)
    own, _ = figures.recount_fine(under=world.township.path, figures=over)
    assert counted == {k: n for k, n in own.items() if k[0] == second.path}
    assert counted  # the node has residents
    # A new day drops it with the templates (a figure may compare with today's date).
    figure_plan.templates["day"] = timezone.localdate() - dt.timedelta(days=1)
    figure_plan.same_day()
    assert key not in figure_plan.templates


def test_a_recount_whose_figure_cannot_be_filled_in_is_not_kept(world):
    figure_plan.same_day()
    over = figures.figures_over({"people_resident"})
    key = ("one", tuple(f.key for f in over), connection.vendor)
    node = world.a.household.node
    figure_plan.templates.pop(key, None)
    # A figure whose stand-in statement is not its node's statement filled in (None): rebuilt
    # for every write, and the joined statement is not kept either.
    figure_plan.templates[(over[0].key, connection.vendor)] = None
    try:
        plan = figure_plan.recount_plan({node.path: node.level}, over)
        assert not plan.stable and key not in figure_plan.templates
    finally:
        figure_plan.templates.pop((over[0].key, connection.vendor))  # compiled again when next used
