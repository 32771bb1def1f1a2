"""The blank roster a village downloads, fills in and imports."""

import io

from openpyxl import load_workbook

from xiangzhi.people.import_template import SUGGESTIONS, TEMPLATE_COLUMNS
from xiangzhi.people.models import Resident
from xiangzhi.people.services.imports import registry_import
from xiangzhi.people.xlsx import RELATIONS

from ..factories import make_id


def _download(client, user, kind):
    client.force_login(user)
    r = client.get(f"/sheets/import/template/{kind}/")
    assert r.status_code == 200
    return load_workbook(io.BytesIO(b"".join(r.streaming_content)))


def test_the_residents_template_has_the_columns_help_and_the_users_grids(client, world):
    wb = _download(client, world.a.cadre, "residents")
    assert wb.sheetnames == ["居民花名册", "填表说明", "可填写的网格"]
    roster = wb["居民花名册"]
    assert [c.value for c in roster[1]] == [label for label, _, _ in TEMPLATE_COLUMNS["residents"]]
    id_col = [c.value for c in roster[1]].index("身份证号") + 1
    assert roster.cell(row=2, column=id_col).number_format == "@"  # Excel keeps all 18 digits
    grids = [r[0] for r in wb["可填写的网格"].iter_rows(min_row=2, values_only=True)]
    assert any(g.endswith("甲家中心户") for g in grids)
    assert not any("乙村" in g or g.endswith("乙家中心户") for g in grids)  # another village's
    formulas = [dv.formula1 for dv in roster.data_validations.dataValidation]
    assert any("可填写的网格" in f for f in formulas) and '"男,女"' in formulas


def test_a_filled_in_template_imports_and_its_other_sheets_are_not_read(client, world, tmp_path):
    wb = _download(client, world.a.cadre, "residents")
    roster = wb["居民花名册"]
    header = [c.value for c in roster[1]]
    grid = next(
        r[0]
        for r in wb["可填写的网格"].iter_rows(min_row=2, values_only=True)
        if r[0].endswith("甲家中心户")
    )
    values = {
        "姓名": "模板新户",
        "身份证号": make_id(),
        "与户主关系": "户主",
        "家庭住址": "甲村20号",
        "所属网格": grid,
    }
    for key, value in values.items():
        roster.cell(row=2, column=header.index(key) + 1, value=value)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.created == 1 and report.ignored_columns == []
    assert Resident.objects.get(name="模板新户").node == world.a.grid


def test_the_households_template_and_its_suggestions_are_words_the_import_reads(client, world):
    wb = _download(client, world.a.cadre, "households")
    assert [c.value for c in wb["户籍台账"][1]] == [
        label for label, _, _ in TEMPLATE_COLUMNS["households"]
    ]
    assert all(word in RELATIONS for word in SUGGESTIONS["与户主关系"])


def test_only_users_who_may_import_get_a_template(client, world):
    from ..factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/sheets/import/template/residents/").status_code == 403
    client.force_login(world.a.cadre)
    assert client.get("/sheets/import/template/nonsense/").status_code == 404


def test_the_template_offers_the_lowest_grids_where_families_belong(world):
    from xiangzhi.people.import_template import writable_grids

    grids = [text for text, _ in writable_grids(actor=world.a.cadre)]
    assert any(g.endswith("甲家中心户") for g in grids)
    assert not any(g.endswith("党小组") or g.endswith("党支部") for g in grids)
