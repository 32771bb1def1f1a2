import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from xiangzhi.core.audit import verify_chain
from xiangzhi.core.validators import id_check_char
from xiangzhi.people.models import Household, HouseholdChange, Resident
from xiangzhi.people.services.imports import registry_import

from ..factories import make_id
from ..xlsx_helpers import make_sheet

HEADER = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号码",
    "联系电话",
    "与户主关系",
    "家庭住址",
    "所属网格",
    "标签",
    "备注",
    "奇怪的列",
]


def legacy_id():
    """A 15-digit legacy ID and its 18-digit form."""
    body15 = "430521560304" + "123"
    body17 = body15[:6] + "19" + body15[6:]
    return body15, body17 + id_check_char(body17)


@pytest.fixture
def roster(tmp_path, world):
    grid_path = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"
    leg15, leg18 = legacy_id()
    rows = [
        HEADER,
        [
            1,
            "甲大山",
            "男",
            "汉族",
            dt.date(1970, 1, 2),
            make_id(dt.date(1970, 1, 2), "M").lower(),
            "13912345678",
            "户主",
            "甲村大路1号",
            grid_path,
            "脱贫户",
            "",
            "x",
        ],
        [
            2,
            " 甲 小 花 ",
            "女",
            "汉族",
            "1998/5/6",
            make_id(dt.date(1998, 5, 6), "F"),
            "１３９１２３４５６７９",
            "之女",
            "",
            "",
            "",
            "在外务工",
            "",
        ],
        [
            3,
            "甲老三",
            "",
            "",
            "",
            leg15,
            "",
            "户主",
            "甲村大路2号",
            "甲村-甲村第一党支部-甲村枫树屋场党小组-甲家中心户",
            "",
            "",
            "",
        ],
        [
            4,
            "甲老三妻",
            "女",
            "汉族",
            21551,
            make_id(dt.date(1959, 1, 1), "F"),
            "",
            "妻",
            "",
            "",
            "独居老人",
            "",
            "",
        ],
        [None, None, None, None, None, None, None, None, None, None, None, None, None],
        [None] * 13,
    ]
    path = make_sheet(tmp_path / "花名册.xlsx", rows, title_row="甲村2024年人口花名册")
    return path, leg18


def test_a_real_roster_is_imported(world, roster):
    path, leg18 = roster
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [], report.errors
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert report.ignored_columns == ["奇怪的列"]
    dashan = Resident.objects.get(name="甲大山")
    hh = dashan.household
    assert hh.head_id == dashan.pk and hh.address == "甲村大路1号" and hh.node_id == world.a.grid.pk
    daughter = Resident.objects.get(name="甲小花")
    assert daughter.household_id == hh.pk and daughter.relation == "child"
    assert daughter.phone == "13912345678"[:10] + "9" and daughter.birth_date == dt.date(1998, 5, 6)
    assert [t.code for t in dashan.tags.all()] == ["poverty_alleviated"]
    laosan = Resident.objects.get(name="甲老三")
    assert (
        laosan.id_number == leg18
        and laosan.gender == "M"
        and laosan.birth_date == dt.date(1956, 3, 4)
    )
    wife = Resident.objects.get(name="甲老三妻")
    assert wife.household_id == laosan.household_id and wife.relation == "spouse"
    assert wife.birth_date == dt.date(1959, 1, 1)  # Excel serial 21551
    assert HouseholdChange.objects.filter(resident=wife, kind="import").exists()
    assert verify_chain()[1] is None


def test_imported_rows_carry_the_same_derived_columns_and_audit_as_a_form_save(world, roster):
    """The bulk path writes tuples, not models: its pinyin, blind indexes, ciphertext, audit
    events and history must be what Resident.save() and the services would have written."""
    from django.db import connection

    from xiangzhi.core.crypto import decrypt, key_id_of
    from xiangzhi.core.models import AuditEvent

    path, _ = roster
    registry_import(actor=world.a.cadre, kind="residents", path=path)
    imported = list(Resident.objects.filter(name__in=["甲大山", "甲小花", "甲老三", "甲老三妻"]))
    assert len(imported) == 4
    for r in imported:
        stored = (r.name_pinyin, r.name_initials, r.id_number_index, r.phone_index)
        r.prepare()
        assert stored == (r.name_pinyin, r.name_initials, r.id_number_index, r.phone_index)
        assert r.status == "active" and r.node_id == r.household.node_id
        with connection.cursor() as cur:
            cur.execute("SELECT id_number FROM people_resident WHERE id = %s", [r.pk])
            (cipher,) = cur.fetchone()
        assert cipher != r.id_number and key_id_of(cipher) and decrypt(cipher) == r.id_number
        event = AuditEvent.objects.get(action="people.resident_import_create", object_id=str(r.pk))
        assert event.object_type == "people.resident" and event.node_id == r.node_id
        assert event.actor_id == world.a.cadre.pk and event.changes["name"] == r.name
        change = HouseholdChange.objects.get(resident=r)
        assert change.kind == "import" and change.created_by_id == world.a.cadre.pk
    assert verify_chain()[1] is None


def test_reimporting_the_same_file_changes_nothing(world, roster):
    path, _ = roster
    registry_import(actor=world.a.cadre, kind="residents", path=path)
    before = list(
        Resident.objects.order_by("pk").values_list("pk", "name", "updated_at", "household_id")
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 4, [])
    assert (
        list(
            Resident.objects.order_by("pk").values_list("pk", "name", "updated_at", "household_id")
        )
        == before
    )


def test_a_changed_cell_is_an_update(world, roster, tmp_path):
    path, _ = roster
    registry_import(actor=world.a.cadre, kind="residents", path=path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active["L4"] = "返乡创业"
    wb.save(path)
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert Resident.objects.get(name="甲小花").note == "返乡创业"


def test_bad_rows_are_reported_with_row_and_column_and_good_rows_imported(world, tmp_path):
    grid = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"
    good = make_id(dt.date(1980, 1, 1), "M")
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    dup = make_id(dt.date(1981, 1, 1), "M")
    rows = [
        ["姓名", "性别", "出生日期", "身份证号", "与户主关系", "家庭住址", "所属网格"],
        ["甲一", "男", "1980-01-01", good, "户主", "甲村1号", grid],  # row 2 ok
        [
            "甲二",
            "女",
            "1980年2月1日",
            make_id(dt.date(1980, 1, 1), "M"),
            "子",
            "",
            "",
        ],  # 3: birth + gender wrong
        ["甲三", "男", "", bad_check, "子", "", ""],  # 4: check digit
        ["甲四", "男", "", 4.30521199001011e17, "子", "", ""],  # 5: number
        ["甲五", "男", "", dup, "户主", "甲村2号", grid],  # 6 ok
        ["甲六", "男", "", dup, "子", "", ""],  # 7: duplicate of 6
        ["甲七", "男", "", make_id(dt.date(1960, 1, 1), "M"), "户主", "甲村3号", ""],  # 8: no grid
        ["甲八", "女", "", make_id(dt.date(1990, 1, 1), "F"), "妻", "", ""],  # 9: household of 8
        [
            "甲九",
            "男",
            "",
            make_id(dt.date(1960, 1, 1), "M"),
            "户主",
            "乙村5号",
            "乙村",
        ],  # 10: other village
    ]
    path = make_sheet(tmp_path / "bad.xlsx", rows)
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    by_row = {}
    for e in report.errors:
        by_row.setdefault(e["row"], []).append((e["column"], e["message"]))
    assert set(by_row) == {3, 4, 5, 7, 8, 9, 10}
    assert ("出生日期", by_row[3][0][1]) in by_row[3] or any(c == "出生日期" for c, _ in by_row[3])
    assert any(c == "性别" for c, _ in by_row[3])
    assert any("校验位" in m and c == "身份证号" for c, m in by_row[4])
    assert any("数字" in m and "丢失" in m for _, m in by_row[5])
    assert any("第 6 行" in m for _, m in by_row[7])
    assert any(c == "所属网格" and "缺少" in m for c, m in by_row[8] + by_row[9])
    assert any("找不到" in m or "管辖" in m for _, m in by_row[10])
    assert (report.created, report.updated) == (2, 0)
    assert set(
        Resident.objects.filter(name__in=["甲一", "甲五"]).values_list("name", flat=True)
    ) == {"甲一", "甲五"}
    assert not Resident.objects.filter(
        name__in=["甲二", "甲三", "甲四", "甲六", "甲七", "甲八", "甲九"]
    ).exists()


def test_all_or_nothing_and_dry_run_write_nothing(world, tmp_path):
    grid = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"
    rows = [
        ["姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"],
        ["甲一", make_id(dt.date(1980, 1, 1), "M"), "户主", "甲村1号", grid],
        ["甲二", "123", "子", "", ""],
    ]
    path = make_sheet(tmp_path / "x.xlsx", rows)
    count = Resident.objects.count()
    report = registry_import(actor=world.a.cadre, kind="residents", path=path, all_or_nothing=True)
    assert report.errors and report.created == 0 and not report.written
    assert Resident.objects.count() == count
    report = registry_import(actor=world.a.cadre, kind="residents", path=path, dry_run=True)
    assert report.created == 1 and not report.written
    assert Resident.objects.count() == count


def test_households_by_number_even_when_not_consecutive(world, tmp_path):
    grid = "430521100201"  # the village by its division code
    rows = [
        ["户编号", "姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"],
        ["H1", "甲户一", make_id(dt.date(1970, 1, 1), "M"), "户主", "甲村11号", grid],
        ["H2", "甲户二", make_id(dt.date(1971, 1, 1), "M"), "户主", "甲村12号", grid],
        ["H1", "甲户一子", make_id(dt.date(2000, 1, 1), "M"), "子", "", grid],
    ]
    path = make_sheet(tmp_path / "n.xlsx", rows)
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.created == 3
    h1 = Household.objects.get(number="H1")
    assert set(h1.members.values_list("name", flat=True)) == {"甲户一", "甲户一子"}
    assert h1.node_id == world.a.node.pk


def test_a_two_row_merged_header_is_understood(world, tmp_path):
    grid = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"
    path = make_sheet(
        tmp_path / "m.xlsx",
        [["甲双", make_id(dt.date(1975, 1, 1), "F"), "户主", "甲村7号", grid]],
        two_row_header=(
            ["基本信息", "", "家庭情况", "", ""],
            ["姓名", "身份证号", "与户主关系", "住址", "网格"],
        ),
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.created == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"name,id\n1,2\n", "不是 Excel"),
        (b"PK\x03\x04garbage" * 10, "损坏"),
    ],
)
def test_a_file_that_is_no_sheet_gets_one_clear_error(world, tmp_path, content, message):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert len(report.errors) == 1 and message in report.errors[0]["message"]
    assert not report.written


def test_a_password_protected_file_is_named_as_such(world, tmp_path):
    # An encrypted .xlsx is an OLE container with an EncryptedPackage stream.
    path = tmp_path / "secret.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 500
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 500
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert "密码" in report.errors[0]["message"]


def test_a_sheet_without_a_header_is_refused(world, tmp_path):
    path = make_sheet(tmp_path / "h.xlsx", [["张三", "430521"], ["李四", "430522"]])
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert len(report.errors) == 1 and "表头" in report.errors[0]["message"]


def test_the_command_writes_the_report_json(world, roster, tmp_path):
    path, _ = roster
    out = tmp_path / "report.json"
    call_command(
        "import_xlsx",
        "residents",
        str(path),
        "--dry-run",
        "--report",
        str(out),
        "--user",
        world.a.cadre.username,
        stdout=StringIO(),
    )
    data = json.loads(out.read_text())
    assert {"created", "updated", "unchanged", "errors"} <= set(data)
    assert data["created"] == 4 and not Resident.objects.filter(name="甲大山").exists()
    call_command(
        "import_xlsx", "residents", str(path), "--user", world.a.cadre.username, stdout=StringIO()
    )
    assert Resident.objects.filter(name="甲大山").exists()


def test_a_households_sheet(world, tmp_path):
    grid = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家二中心户"
    rows = [
        [
            "户编号",
            "户主姓名",
            "户主身份证号",
            "联系电话",
            "家庭住址",
            "所属网格",
            "标签",
            "党员中心户",
        ],
        [
            "a-101",
            "甲户主甲",
            make_id(dt.date(1966, 6, 6), "M"),
            "13700001111",
            "甲村21号",
            grid,
            "低保户、种养大户",
            "是",
        ],
        ["a-102", "甲户主乙", make_id(dt.date(1967, 6, 6), "F"), "", "甲村22号", grid, "", ""],
    ]
    path = make_sheet(tmp_path / "hh.xlsx", rows)
    report = registry_import(actor=world.a.cadre, kind="households", path=path)
    assert report.errors == [] and report.created == 2
    h = Household.objects.get(number="a-101")
    assert h.head.name == "甲户主甲" and h.is_central_household
    assert sorted(t.code for t in h.tags.all()) == ["large_grower", "subsistence_allowance"]
    assert h.head.tags.count() == 0
    again = registry_import(actor=world.a.cadre, kind="households", path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
