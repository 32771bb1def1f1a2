"""A batch recounts only the figures over the tables it wrote (core/figures.py): the execute
wrapper that notes the tables, each figure's tables read from its SQL, and the tests' check that
a skipped figure did not change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.factories import make_id
from tests.people.test_import import HEADER
from tests.xlsx_helpers import make_sheet
from xiangzhi.core import figures
from xiangzhi.core.models import FigureFineCount
from xiangzhi.core.registry import maintained_figures
from xiangzhi.people.models import Household, Resident


def noted(sql: str) -> set[str]:
    writes = figures.Writes()
    writes(lambda *args: None, sql, None, False, None)
    return writes.tables


@pytest.mark.parametrize(
    "sql, tables",
    [
        ('INSERT INTO "people_resident" ("name") VALUES (%s)', {"people_resident"}),
        ('  update "people_household" SET "note" = %s', {"people_household"}),
        ('DELETE FROM "people_resident_tags" WHERE "id" IN (%s)', {"people_resident_tags"}),
        (
            "INSERT INTO core_figurecount (node_id) VALUES (%s) ON CONFLICT DO NOTHING",
            {"core_figurecount"},
        ),
        ('INSERT OR IGNORE INTO "people_tag" ("code") VALUES (%s)', {"people_tag"}),
        ('INSERT INTO "public"."people_resident" ("name") VALUES (%s)', {"people_resident"}),
        ('UPDATE people_resident SET "note" = %s', {"people_resident"}),
        ('SELECT "id" FROM "people_resident" FOR UPDATE', set()),
        ('(SELECT "id" FROM "a") UNION (SELECT "id" FROM "b")', set()),
        ('SAVEPOINT "s1_x1"', set()),
        ('RELEASE SAVEPOINT "s1_x1"', set()),
        ("WITH t AS (SELECT 1) SELECT * FROM t", set()),
        # What it cannot read recounts every figure.
        ('WITH t AS (DELETE FROM "people_resident" RETURNING id) SELECT 1', {figures.ANY_TABLE}),
        ('COPY "people_resident" ("name") FROM STDIN', {"people_resident"}),
        ('ALTER TABLE "people_resident" ADD COLUMN x int', {figures.ANY_TABLE}),
        ('-- a comment\nDELETE FROM "people_resident"', {figures.ANY_TABLE}),
        ("", set()),
    ],
)
def test_the_wrapper_notes_the_tables_a_statement_writes(sql, tables):
    assert noted(sql) == tables


def test_a_figure_knows_its_tables_from_its_sql_joins_and_subqueries_alike(db):
    by_key = {f.key: f for f in maintained_figures()}
    assert figures.tables_of(by_key["residents"]) == {"people_resident", "grid_gridnode"}
    # Through the tags M2M table and the tags' own table.
    assert {"people_resident_tags", "people_tag"} <= figures.tables_of(by_key["living_alone"])
    # A figure that reads its township's settings (in a subquery) knows that table.
    assert "party_contactsettings" in figures.tables_of(by_key["contact_overdue"])
    over = {f.key for f in figures.figures_over({"people_resident"})}
    assert {"residents", "age_60_plus", "party_members"} <= over
    assert not over & {"appeals_received", "points_issued", "households"}
    assert figures.figures_over({figures.ANY_TABLE}) == maintained_figures()
    # A batch that touched a node but wrote nothing any figure counts: a write it did not see.
    assert figures.figures_over(set()) == maintained_figures()
    assert figures.figures_over({"core_auditevent"}) == maintained_figures()


def _fine(node, key: str) -> int:
    return FigureFineCount.objects.get(path=node.path, key=key, period="").value


def test_a_batch_recounts_the_figures_over_what_it_wrote_and_not_the_others(world, settings):
    settings.XIANGZHI_FIGURES_CHECK_SKIPPED = False
    node = world.a.household.node
    true_residents, true_households = _fine(node, "residents"), _fine(node, "households")
    FigureFineCount.objects.filter(path=node.path, key__in=["residents", "households"]).update(
        value=42
    )
    # A batch that writes a household recounts the households' figure, not the residents'.
    with figures.batch():
        Household.objects.filter(pk=world.a.household.pk).update(note="门口有狗")
        figures.touch(node)
    assert _fine(node, "households") == true_households
    assert _fine(node, "residents") == 42
    # A batch that writes residents recounts theirs.
    with figures.batch():
        Resident.objects.filter(household=world.a.household).update(note="")
        figures.touch(node)
    assert _fine(node, "residents") == true_residents
    # A touch outside any batch does not know what was written: every figure.
    FigureFineCount.objects.filter(path=node.path, key="residents").update(value=42)
    figures.touch(node)
    assert _fine(node, "residents") == true_residents


def test_the_tests_check_fails_a_batch_that_skipped_a_figure_its_writes_changed(world):
    # A resident written before the batch (a service that wrote outside its batch): the batch
    # writes only a household, so it would skip the residents' figure, which did change.
    node = world.a.household.node
    Resident.objects.filter(household=world.a.household).update(status=Resident.Status.DECEASED)
    with pytest.raises(figures.SkippedFigureChanged, match="residents"):
        with figures.batch():
            Household.objects.filter(pk=world.a.household.pk).update(note="门口有狗")
            figures.touch(node)


def test_a_write_that_bypasses_the_cursor_is_noted_by_its_writer(db):
    from xiangzhi.core.figure_writes import note_write

    with figures.batch():
        writes = [w for w in connection.execute_wrappers if isinstance(w, figures.Writes)]
        note_write(connection, "people_resident")
    assert len(writes) == 1 and writes[0].tables == {"people_resident"}
    note_write(connection, "people_resident")  # no batch open: nothing to tell, no error


def test_core_bulks_rows_are_noted_on_either_database(world):
    # PostgreSQL writes them with COPY on the raw psycopg cursor, past the execute wrappers.
    from xiangzhi.core.bulk import insert_rows

    tags = Household.tags.through
    with figures.batch():
        writes = next(w for w in connection.execute_wrappers if isinstance(w, figures.Writes))
        insert_rows(tags, ("household_id", "tag_id"), [(world.a.other_household.pk, 1)])
        noted = set(writes.tables)
    assert tags._meta.db_table in noted


GRID = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"


def test_an_import_keeps_the_residents_figures_exact_with_the_check_off(world, settings, tmp_path):
    # Production: the check is off. On PostgreSQL the import writes its rows with COPY; the
    # batch must still recount the figures over people_resident.
    from xiangzhi.people.services.imports import registry_import

    settings.XIANGZHI_FIGURES_CHECK_SKIPPED = False
    assert figures.verify() == []
    born = dt.date(1950, 1, 2)
    row = [1, "甲新人", "男", "汉族", born, make_id(born, "M"), "", "户主", "甲村大路9号", GRID]
    path = make_sheet(tmp_path / "r.xlsx", [HEADER, row + ["独居老人", "", ""]])
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.created == 1
    assert figures.verify() == []
