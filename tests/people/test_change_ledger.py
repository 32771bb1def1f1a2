"""人口变动台账: every household change in the user's scope, filtered by kind and dates (a month
for the usual report), counted by kind, and exported as a sheet with the masks."""

import datetime as dt
import io
from io import StringIO

from django.core.management import call_command
from openpyxl import load_workbook

from xiangzhi.core.models import AuditEvent
from xiangzhi.core.xlsx import HEADER_ROW
from xiangzhi.people.models import HouseholdChange
from xiangzhi.people.services import ResidentData, resident_add, resident_record_death

from ..factories import make_id


def _changes(world):
    a = world.a
    baby = resident_add(
        actor=a.cadre,
        household=a.household,
        kind="birth",
        occurred_on=dt.date(2026, 10, 3),
        data=ResidentData(
            name="甲十月", birth_date=dt.date(2026, 10, 3), gender="F", relation="child"
        ),
    )
    resident_record_death(actor=a.cadre, resident=a.other_head, occurred_on=dt.date(2026, 11, 5))
    b = world.b
    resident_add(
        actor=b.cadre,
        household=b.household,
        kind="move_in",
        occurred_on=dt.date(2026, 11, 6),
        data=ResidentData(
            name="乙迁入", id_number=make_id(dt.date(1990, 5, 5), "M"), relation="other"
        ),
    )
    return baby


def _rows(body: bytes):
    return [
        [c.value for c in row]
        for row in load_workbook(io.BytesIO(body)).active.iter_rows(min_row=HEADER_ROW)
    ]


def test_the_ledger_lists_the_villages_changes_with_counts_and_filters(client, world):
    _changes(world)
    client.force_login(world.a.cadre)
    page = client.get("/people/changes/?since=").content.decode()
    assert "甲十月" in page and world.a.other_head.name in page
    assert "乙迁入" not in page  # the other village's
    month = client.get("/people/changes/?since=2026-11-01&until=2026-11-30").content.decode()
    assert world.a.other_head.name in month and "甲十月" not in month
    births = client.get("/people/changes/?kind=birth&since=").content.decode()
    assert "甲十月" in births and world.a.other_head.name not in births
    born = HouseholdChange.objects.filter(
        kind="birth", household__node__path__startswith=world.a.node.path
    ).count()
    assert born == 2  # the fixture's child and 甲十月
    assert (
        f'<span class="n">{born}</span>出生' in births and '<span class="n">0</span>死亡' in births
    )


def test_a_bad_date_is_said_and_lists_nothing_rather_than_too_much(client, world):
    _changes(world)
    client.force_login(world.a.cadre)
    page = client.get("/people/changes/?since=2026-13-01&until=x").content.decode()
    assert "开始日期“2026-13-01”不是有效日期" in page and "结束日期“x”不是有效日期" in page
    assert "甲十月" not in page and "请先改正上面的日期" in page and "/changes/export/" not in page
    page = client.get("/people/changes/?since=2026-11-30&until=2026-11-01").content.decode()
    assert "开始日期不能晚于结束日期" in page and world.a.other_head.name not in page
    back = client.get("/people/changes/export/?until=2026-13-01", follow=True)
    assert back.redirect_chain[-1][0] == "/people/changes/?until=2026-13-01"
    assert "请先改正上面的日期" in back.content.decode()


def test_imported_people_and_the_new_half_of_a_split_are_no_changes(world, tmp_path):
    from xiangzhi.people.models import Household
    from xiangzhi.people.selectors import household_change_counts, household_change_list
    from xiangzhi.people.services import household_split
    from xiangzhi.people.services.imports import registry_import

    from ..xlsx_helpers import make_sheet

    a = world.a
    grid = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"
    header = ["姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"]
    rows = [["表格户主", make_id(dt.date(1966, 6, 6), "M"), "户主", "甲村70号", grid]]
    report = registry_import(
        actor=a.cadre, kind="residents", path=make_sheet(tmp_path / "r.xlsx", [header, *rows])
    )
    assert report.created == 1
    imported = HouseholdChange.objects.get(resident__name="表格户主")
    assert imported.kind == "import" and imported.get_kind_display() == "表格建档"
    household_split(
        actor=a.cadre, household=a.household, members=[a.child], new_head=a.child, address="新址"
    )
    assert HouseholdChange.objects.filter(kind="split").count() == 2  # both households' history
    changes = household_change_list(actor=a.cadre)
    counts = household_change_counts(changes)
    assert "import" not in counts and counts["split"] == 1
    assert {c.household_id for c in changes if c.kind == "split"} == {a.household.pk}
    assert Household.objects.filter(address="新址").exists()


def test_the_ledger_exports_what_the_page_shows_with_masks(client, world):
    baby = _changes(world)
    client.force_login(world.a.cadre)
    r = client.get("/people/changes/export/?kind=death&since=")
    rows = _rows(b"".join(r.streaming_content))
    assert rows[0][:6] == ["序号", "变动日期", "变动类型", "姓名", "性别", "身份证号"]
    assert len(rows) == 2 and rows[1][2] == "死亡" and rows[1][3] == world.a.other_head.name
    assert "*" in rows[1][5]  # masked
    assert AuditEvent.objects.filter(action="people.household_change_export").exists()
    everything = _rows(b"".join(client.get("/people/changes/export/?since=").streaming_content))
    assert baby.name in {row[3] for row in everything} and "乙迁入" not in {
        row[3] for row in everything
    }


def test_the_command_exports_the_ledger(world, tmp_path):
    _changes(world)
    out = tmp_path / "c.xlsx"
    call_command(
        "export_xlsx", "changes", "--node", "430521100202", "-o", str(out), stdout=StringIO()
    )
    names = {row[3] for row in _rows(out.read_bytes())[1:]}
    assert "乙迁入" in names and "甲十月" not in names


def test_a_note_that_looks_like_a_formula_or_holds_a_control_character_exports_as_text(
    client, world
):
    a = world.a
    client.force_login(a.cadre)
    for resident, note in ((a.child, "=1+2"), (a.other_head, "去\x0b外地")):
        r = client.post(
            f"/people/residents/{resident.pk}/move-out/",
            {"occurred_on": "2026-11-10", "destination": "abroad", "reason": "study", "note": note},
        )
        assert r.status_code == 302, r.content.decode()[:300]
    body = b"".join(client.get("/people/changes/export/?kind=move_out&since=").streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    notes = {row[3].value: row[10] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)}
    assert notes[a.child.name].value == "=1+2" and notes[a.child.name].data_type == "s"
    assert notes[a.other_head.name].value == "去外地"
