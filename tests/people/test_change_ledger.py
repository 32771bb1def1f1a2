"""人口变动台账: every household change in the user's scope, filtered by kind and dates (a month
for the usual report), counted by kind, and exported as a sheet with the masks."""

import datetime as dt
import io
from io import StringIO

from django.core.management import call_command
from openpyxl import load_workbook

from xiangzhi.core.models import AuditEvent
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
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(body)).active.iter_rows()]


def test_the_ledger_lists_the_villages_changes_with_counts_and_filters(client, world):
    _changes(world)
    client.force_login(world.a.cadre)
    page = client.get("/people/changes/").content.decode()
    assert "甲十月" in page and world.a.other_head.name in page
    assert "乙迁入" not in page  # the other village's
    month = client.get("/people/changes/?since=2026-11-01&until=2026-11-30").content.decode()
    assert world.a.other_head.name in month and "甲十月" not in month
    births = client.get("/people/changes/?kind=birth").content.decode()
    assert "甲十月" in births and world.a.other_head.name not in births
    born = HouseholdChange.objects.filter(
        kind="birth", household__node__path__startswith=world.a.node.path
    ).count()
    assert born == 2  # the fixture's child and 甲十月
    assert (
        f'<span class="n">{born}</span>出生' in births and '<span class="n">0</span>死亡' in births
    )


def test_a_bad_date_is_said_and_ignored(client, world):
    _changes(world)
    client.force_login(world.a.cadre)
    page = client.get("/people/changes/?since=2026-13-01&until=x").content.decode()
    assert "开始日期“2026-13-01”不是有效日期" in page and "结束日期“x”不是有效日期" in page
    assert "甲十月" in page
    page = client.get("/people/changes/?since=2026-11-30&until=2026-11-01").content.decode()
    assert "开始日期不能晚于结束日期" in page


def test_the_ledger_exports_what_the_page_shows_with_masks(client, world):
    baby = _changes(world)
    client.force_login(world.a.cadre)
    r = client.get("/people/changes/export/?kind=death")
    rows = _rows(b"".join(r.streaming_content))
    assert rows[0][:6] == ["序号", "变动日期", "变动类型", "姓名", "性别", "身份证号"]
    assert len(rows) == 2 and rows[1][2] == "死亡" and rows[1][3] == world.a.other_head.name
    assert "*" in rows[1][5]  # masked
    assert AuditEvent.objects.filter(action="export.changes").exists()
    everything = _rows(b"".join(client.get("/people/changes/export/").streaming_content))
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
