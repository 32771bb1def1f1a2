"""Rosters as villages really keep them (found by a review of real-world sheets): phones written
every which way, pre-numbered template rows and totals under the table, everyday relation words,
one message per bad cell, and blank cells that must not erase what is registered."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xiangzhi.core.validators import normalize_phone
from xiangzhi.people.models import Resident
from xiangzhi.people.services.imports import registry_import

from ..factories import make_id
from ..xlsx_helpers import make_book, make_sheet

GRID = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"
HEADER = ["序号", "姓名", "身份证号", "联系电话", "与户主关系", "家庭住址", "所属网格"]


def _import(world, tmp_path, rows, header=HEADER, **kw):
    path = make_sheet(tmp_path / "r.xlsx", [header, *rows])
    return registry_import(actor=world.a.cadre, kind="residents", path=path, **kw)


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("+86 138-0013-8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("13912345678（本人）", "13912345678"),
        ("0731-1234567", "0731-1234567"),
        ("07311234567", "0731-1234567"),
        ("(0731)1234567", "0731-1234567"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("138 0013 8000", "13800138000"),
        ("无", ""),
        ("暂无", ""),
        ("/", ""),
        ("—", ""),
    ],
)
def test_phones_as_ledgers_write_them(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("13912345678/13812345678", "只能填一个电话号码"),
        ("13912345678、13812345678", "只能填一个电话号码"),
        ("13912345678\n13812345678", "只能填一个电话号码"),
        ("12800138000", "11位手机号，或带区号的固定电话"),
        ("0731-123", "11位手机号，或带区号的固定电话"),
        ("0731-123456", "11位手机号，或带区号的固定电话"),  # a digit short: no other area code
        ("0731123456", "11位手机号，或带区号的固定电话"),
    ],
)
def test_phones_that_are_not_one_number_are_refused_clearly(raw, fragment):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert fragment in exc.value.messages[0]


def test_a_landline_imports_and_is_found_by_search(world, tmp_path):
    from xiangzhi.people.selectors import resident_list

    report = _import(
        world, tmp_path, [[1, "座机户", make_id(), "0731 1234567", "户主", "甲村1号", GRID]]
    )
    assert report.errors == [] and report.created == 1
    found = resident_list(actor=world.a.cadre, search="0731-1234567")
    assert [r.name for r in found] == ["座机户"]
    assert Resident.objects.get(name="座机户").phone == "0731-1234567"


def test_two_numbers_on_two_lines_are_one_clear_error(world, tmp_path):
    rows = [[1, "两号户", make_id(), "13912345678\n13812345678", "户主", "甲村2号", GRID]]
    report = _import(world, tmp_path, rows)
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "联系电话")]
    assert "只能填一个电话号码" in report.errors[0]["message"]


def test_template_rows_totals_and_signatures_are_skipped_not_errors(world, tmp_path):
    rows = [
        [1, "模板户主", make_id(), "", "户主", "甲村3号", GRID],
        [2, None, None, None, None, None, GRID],  # pre-numbered, grid pre-filled
        [3, None, None, None, None, None, None],
        ["合计", "共1户1人", None, None, None, None, None],
        [None, "填表人:张三", None, None, None, None, None],
    ]
    report = _import(world, tmp_path, rows)
    assert report.errors == [] and report.created == 1
    assert report.skipped == 4
    assert report.as_dict()["skipped"] == 4


@pytest.mark.parametrize(
    "word, relation",
    [
        ("二子", "child"),
        ("户主之子", "child"),
        ("儿媳妇", "child_in_law"),
        ("孙", "grandchild"),
        ("弟媳", "other"),
    ],
)
def test_everyday_relation_words(world, tmp_path, word, relation):
    rows = [
        [1, "关系户主", make_id(), "", "户主", "甲村4号", GRID],
        [2, "关系成员", make_id(), "", word, "", ""],
    ]
    report = _import(world, tmp_path, rows)
    assert report.errors == [] and report.created == 2
    assert Resident.objects.get(name="关系成员").relation == relation


def test_a_blank_relation_asks_for_one(world, tmp_path):
    rows = [
        [1, "空关系户主", make_id(), "", "户主", "甲村5号", GRID],
        [2, "空关系成员", make_id(), "", None, "", ""],
    ]
    report = _import(world, tmp_path, rows)
    assert [(e["row"], e["column"], e["message"][:6]) for e in report.errors] == [
        (3, "与户主关系", "请填写与户主")
    ]


def test_without_a_relation_column_known_people_update_and_new_ones_are_refused(world, tmp_path):
    a = world.a
    head = a.head
    header = ["姓名", "身份证号", "联系电话", "户编号", "家庭住址", "所属网格"]
    rows = [
        [head.name, head.id_number, "13911112222", head.household.number, "", GRID],
        ["无关系新人", make_id(), "", head.household.number, "", GRID],
    ]
    report = _import(world, tmp_path, rows, header=header)
    assert report.updated == 1 and report.created == 0
    assert [(e["row"], e["message"]) for e in report.errors] == [
        (3, "表格没有“与户主关系”列：新登记的居民需要写明与户主的关系")
    ]
    head.refresh_from_db()
    assert head.phone == "13911112222" and head.relation == "head"


def test_an_id_that_excel_rounded_gets_one_message(world, tmp_path):
    rows = [[1, "圆整户", 4.30521199001011e17, "", "户主", "甲村6号", GRID]]
    report = _import(world, tmp_path, rows)
    id_errors = [e for e in report.errors if e["column"] == "身份证号"]
    assert len(id_errors) == 1 and "存成了数字" in id_errors[0]["message"]


def test_blank_cells_never_erase_what_is_registered(world, tmp_path):
    a = world.a
    head = a.head
    head.phone, head.note, head.ethnicity = "13955556666", "腿脚不便", "土家族"
    head.save()
    header = ["姓名", "身份证号", "联系电话", "民族", "与户主关系", "备注", "标签", "所属网格"]
    tags_before = sorted(t.code for t in head.tags.all())
    rows = [[head.name, head.id_number, "", "", "户主", "", "", GRID]]
    report = _import(world, tmp_path, rows, header=header)
    assert report.errors == [] and report.updated == 0 and report.unchanged == 1
    head.refresh_from_db()
    assert (head.phone, head.note, head.ethnicity) == ("13955556666", "腿脚不便", "土家族")
    assert sorted(t.code for t in head.tags.all()) == tags_before


def test_an_ethnic_group_without_zu_is_stored_with_it(world, tmp_path):
    header = ["姓名", "身份证号", "民族", "与户主关系", "家庭住址", "所属网格"]
    report = _import(
        world, tmp_path, [["民族户", make_id(), "土家", "户主", "甲村7号", GRID]], header=header
    )
    assert report.errors == []
    assert Resident.objects.get(name="民族户").ethnicity == "土家族"


def test_one_sheet_per_group_imports_every_sheet_and_errors_name_theirs(world, tmp_path):
    path = make_book(
        tmp_path / "groups.xlsx",
        {
            "一组": [
                HEADER,
                [1, "一组户主", make_id(), "", "户主", "甲村8号", GRID],
                [2, "一组错号", "12345", "", "子", "", ""],
            ],
            "二组": [
                ["姓名", "与户主关系", "身份证号", "家庭住址", "所属网格"],  # another order
                ["二组户主", "户主", make_id(), "甲村9号", GRID],
                ["二组成员", "配偶", "12345", "", ""],
            ],
        },
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.created == 2
    assert set(
        Resident.objects.filter(name__in=["一组户主", "二组户主"]).values_list("name", flat=True)
    ) == {"一组户主", "二组户主"}
    assert [(e["sheet"], e["row"], e["column"]) for e in report.errors] == [
        ("一组", 3, "身份证号"),
        ("二组", 3, "身份证号"),
    ]


def test_the_job_page_and_error_sheet_name_the_sheet_and_the_skipped_rows(client, world, tmp_path):
    from openpyxl import load_workbook

    from xiangzhi.core.models import ImportJob

    job = ImportJob.objects.create(
        created_by=world.a.cadre,
        kind="residents",
        file_name="花名册.xlsx",
        status=ImportJob.Status.DONE,
        report={
            "created": 1,
            "updated": 0,
            "unchanged": 0,
            "skipped": 3,
            "errors": [
                {"sheet": "二组", "row": 7, "column": "身份证号", "message": "校验位不正确"}
            ],
        },
    )
    client.force_login(world.a.cadre)
    page = client.get(f"/sheets/import/jobs/{job.pk}/").content.decode()
    assert "工作表“二组” 第 7 行" in page and "跳过了 3 行" in page
    r = client.get(f"/sheets/import/jobs/{job.pk}/errors/")
    sheet = load_workbook(__import__("io").BytesIO(b"".join(r.streaming_content))).active
    assert [c.value for c in sheet[1]] == ["工作表", "行号", "列", "问题"]
    assert [c.value for c in sheet[2]] == ["二组", 7, "身份证号", "校验位不正确"]


def test_a_head_name_column_beside_the_name_column_is_not_the_persons_name(world, tmp_path):
    header = ["户主姓名", "姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"]
    rows = [
        ["王大山", "王大山", make_id(), "户主", "甲村10号", GRID],
        ["王大山", "李秀英", make_id(dt.date(1962, 1, 2), "F"), "妻", "", ""],
    ]
    report = _import(world, tmp_path, rows, header=header)
    assert report.errors == [] and report.created == 2
    assert Resident.objects.filter(name="李秀英", relation="spouse").exists()
    assert "户主姓名" in report.ignored_columns


def test_a_head_name_column_alone_is_the_name(world, tmp_path):
    header = ["户主姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"]
    report = _import(
        world, tmp_path, [["赵独户", make_id(), "户主", "甲村11号", GRID]], header=header
    )
    assert report.errors == [] and Resident.objects.filter(name="赵独户").exists()


@pytest.mark.parametrize(
    "cell, expected",
    [
        (19900115, dt.date(1990, 1, 15)),
        ("1990/1/15 0:00:00", dt.date(1990, 1, 15)),
        ("1990.01.15", dt.date(1990, 1, 15)),
        (1962.03, (1962, 3)),
        (1962.3, (1962, 3)),  # March typed as a number
        (1962.12, (1962, 12)),
        (1962.1, (1962, 1, 10)),  # January, or October whose 0 Excel dropped
        (199001, (1990, 1)),
        ("1990.01", (1990, 1)),
        ("1990年1月", (1990, 1)),
        ("1990-1", (1990, 1)),
        ("199001", (1990, 1)),
    ],
)
def test_birth_dates_as_ledgers_write_them(cell, expected):
    from xiangzhi.core.xlsx import MonthOnly, date

    got = date(cell)
    if isinstance(expected, tuple):
        assert isinstance(got, MonthOnly) and (got.year, *got.months) == expected
    else:
        assert got == expected and not isinstance(got, MonthOnly)


@pytest.mark.parametrize(
    "cell, fragment",
    [
        (1962, "只写了年份"),
        ("1990.13", "日期不存在"),
        (1962.13, "日期不存在"),
        (62.03, "请写四位年份"),
    ],
)
def test_birth_dates_that_cannot_be_read_say_why(cell, fragment):
    from xiangzhi.core.xlsx import CellError, date

    with pytest.raises(CellError) as exc:
        date(cell)
    assert fragment in str(exc.value)


def test_a_birth_month_takes_its_day_from_the_id_and_never_guesses_one(world, tmp_path):
    header = ["姓名", "身份证号", "出生年月", "与户主关系", "家庭住址", "所属网格"]
    born = dt.date(1962, 3, 15)
    month_cell = dt.datetime(1962, 3, 1)  # a date cell formatted yyyy年m月
    rows = [
        ["年月户主", make_id(born), 1962.03, "户主", "甲村12号", GRID],
        ["年月配偶", make_id(born, "F"), month_cell, "配偶", "", ""],
        ["年月不符", make_id(born), "1962年4月", "子", "", ""],
        ["年月无证", "", "1962年3月", "子", "", ""],
    ]
    report = _import(world, tmp_path, rows, header=header)
    assert Resident.objects.get(name="年月户主").birth_date == born
    assert Resident.objects.get(name="年月配偶").birth_date == born
    by_row: dict[int, list[str]] = {}
    for e in report.errors:
        by_row.setdefault(e["row"], []).append(e["message"])
    assert by_row[4] == ["出生日期 1962年4月 与身份证号中的 1962-03-15 不一致"]
    assert any("只写到了月（1962年3月）" in m for m in by_row[5])


def test_a_grid_path_may_skip_levels_when_the_name_is_unique_below(world, tmp_path):
    rows = [[1, "跳级户主", make_id(), "", "户主", "甲村13号", "甲村/甲家中心户"]]
    report = _import(world, tmp_path, rows)
    assert report.errors == [] and report.created == 1
    assert Resident.objects.get(name="跳级户主").node == world.a.grid


def test_a_name_shared_by_two_grids_says_where_each_is(world, tmp_path):
    from xiangzhi.grid.services import node_create

    a = world.a
    group2 = node_create(actor=world.admin, parent=a.branch, name="甲村竹林屋场党小组")
    node_create(actor=world.admin, parent=group2, name="甲家中心户")
    rows = [[1, "重名户主", make_id(), "", "户主", "甲村14号", "甲家中心户"]]
    report = _import(world, tmp_path, rows)
    assert report.errors[0]["message"].startswith("有多个网格叫“甲家中心户”（在 甲村）")
    rows = [[1, "重名户主", make_id(), "", "户主", "甲村14号", "甲村/甲家中心户"]]
    report = _import(world, tmp_path, rows)
    assert report.errors[0]["message"].startswith("“甲村”下有多个网格叫“甲家中心户”")


def test_too_long_cells_are_errors_never_cut(world, tmp_path):
    header = ["姓名", "身份证号", "与户主关系", "户编号", "家庭住址", "备注", "所属网格"]
    rows = [["超长户主", make_id(), "户主", "x" * 41, "址" * 201, "注" * 201, GRID]]
    report = _import(world, tmp_path, rows, header=header)
    columns = {e["column"] for e in report.errors}
    assert {"户编号", "家庭住址", "备注"} <= columns and report.created == 0


def test_a_summary_sheet_beside_the_roster_is_skipped_and_said(world, tmp_path):
    path = make_book(
        tmp_path / "with-summary.xlsx",
        {
            "花名册": [HEADER, [1, "汇总旁户主", make_id(), "", "户主", "甲村15号", GRID]],
            "汇总": [["序号", "村民小组", "户数", "人数"], [1, "一组", 1, 1]],
        },
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.created == 1
    assert report.skipped_sheets == [{"sheet": "汇总", "missing": ["姓名", "身份证号"]}]


def test_a_section_title_merged_across_the_table_is_not_a_person(world, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["第一村民小组"])
    ws.merge_cells("A2:G2")
    ws.append([1, "分组户主", make_id(), "", "户主", "甲村16号", GRID])
    ws.append(["注:身份证号以户口簿为准"])
    ws.merge_cells("A4:G5")
    path = tmp_path / "sections.xlsx"
    wb.save(path)
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.created == 1 and report.skipped == 2


def test_one_id_on_the_same_row_of_two_sheets_is_a_duplicate_not_a_crash(world, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "2024年"
    ws.append(HEADER)
    ws.append([1, "两表户主", make_id(), "", "户主", "甲村17号", GRID])
    wb.copy_worksheet(ws).title = "2023年"
    path = tmp_path / "copied.xlsx"
    wb.save(path)
    for dry_run in (True, False):
        report = registry_import(actor=world.a.cadre, kind="residents", path=path, dry_run=dry_run)
        assert [(e["sheet"], e["row"], e["message"]) for e in report.errors] == [
            ("2023年", 2, "与工作表“2024年”第 2 行的身份证号重复")
        ]
    assert Resident.objects.filter(name="两表户主").count() == 1


def test_household_numbers_that_restart_in_each_sheet_do_not_merge_families(world, tmp_path):

    header = ["姓名", "身份证号", "与户主关系", "户编号", "家庭住址", "所属网格"]
    path = make_book(
        tmp_path / "restart.xlsx",
        {
            "一组": [header, ["张一组", make_id(), "户主", "001", "甲村18号", GRID]],
            "二组": [header, ["李二组", make_id(), "户主", "001", "甲村19号", GRID]],
        },
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.created == 1
    assert [(e["sheet"], e["column"]) for e in report.errors] == [("二组", "户编号")]
    assert "已是另一户（户主 张一组）的编号" in report.errors[0]["message"]
    assert Resident.objects.get(name="张一组").household.head.name == "张一组"
    assert not Resident.objects.filter(name="李二组").exists()
    # The same number given to another family later (another file) is refused the same way.
    path2 = make_sheet(
        tmp_path / "later.xlsx", [header, ["王后来", make_id(), "户主", "001", "甲村20号", GRID]]
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path2)
    assert report.created == 0 and "户主 张一组" in report.errors[0]["message"]
    # And the family itself, imported again, is unchanged.
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.unchanged == 1


def test_a_month_typed_as_1962_1_is_whichever_the_id_says(world, tmp_path):
    header = ["姓名", "身份证号", "出生年月", "与户主关系", "家庭住址", "所属网格"]
    rows = [
        ["一月户主", make_id(dt.date(1962, 1, 15)), 1962.1, "户主", "甲村21号", GRID],
        ["十月配偶", make_id(dt.date(1962, 10, 3), "F"), 1962.1, "配偶", "", ""],
        ["三月子", make_id(dt.date(1962, 3, 9)), 1962.1, "子", "", ""],
    ]
    report = _import(world, tmp_path, rows, header=header)
    assert Resident.objects.get(name="一月户主").birth_date == dt.date(1962, 1, 15)
    assert Resident.objects.get(name="十月配偶").birth_date == dt.date(1962, 10, 3)
    assert [e["message"] for e in report.errors] == [
        "出生日期 1962.1 与身份证号中的 1962-03-09 不一致"
    ]


def test_on_a_form_a_first_of_the_month_is_taken_as_typed(world):
    from django.core.exceptions import ValidationError as DjangoValidationError

    from xiangzhi.people.services import ResidentData
    from xiangzhi.people.services.resident_data import resident_validate

    data = ResidentData(
        name="表单", id_number=make_id(dt.date(1982, 3, 5)), birth_date=dt.date(1982, 3, 1)
    )
    with pytest.raises(DjangoValidationError) as exc:
        resident_validate(data)
    assert "不一致" in str(exc.value)


def test_member_name_columns_beside_the_head_name_are_each_persons_name(world, tmp_path):
    header = ["户主姓名", "成员姓名", "身份证号码", "与户主关系", "家庭住址", "所属网格"]
    rows = [
        ["王一山", "王一山", make_id(), "户主", "甲村22号", GRID],
        ["王一山", "李秀兰", make_id(dt.date(1963, 1, 2), "F"), "妻", "", ""],
    ]
    report = _import(world, tmp_path, rows, header=header)
    assert report.errors == [] and Resident.objects.filter(name="李秀兰").exists()


def test_meixifu_is_refused_not_guessed_and_long_cells_are_not_echoed(world, tmp_path):
    rows = [
        [1, "媳妇户主", make_id(), "", "户主", "甲村23号", GRID],
        [2, "媳妇成员", make_id(), "", "媳妇", "", ""],
        [3, "长格成员", make_id(), "", "关" * 3000, "", ""],
    ]
    report = _import(world, tmp_path, rows)
    messages = [e["message"] for e in report.errors]
    assert messages[0].startswith("无法识别的与户主关系“媳妇”")
    assert len(messages[1]) < 200 and "…" in messages[1]


def test_a_dry_run_all_or_nothing_with_errors_would_write_nothing(world, tmp_path):
    rows = [
        [1, "试运行户主", make_id(), "", "户主", "甲村24号", GRID],
        [2, "试运行错号", "12345", "", "子", "", ""],
    ]
    report = _import(world, tmp_path, rows, dry_run=True, all_or_nothing=True)
    assert report.created == 0 and report.errors and not report.written
    report = _import(world, tmp_path, rows, dry_run=True)
    assert report.created == 1 and not report.written


def test_a_roster_sheet_with_a_misspelt_header_fails_the_file_not_silently(world, tmp_path):
    misspelt = ["序号", "姓名", "身分证号", "联系电话", "与户主关系", "家庭住址", "所属网格"]
    path = make_book(
        tmp_path / "misspelt.xlsx",
        {
            "一组": [HEADER, [1, "一组好户", make_id(), "", "户主", "甲村25号", GRID]],
            "二组": [misspelt, [1, "二组户主", make_id(), "", "户主", "甲村26号", GRID]],
        },
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.created == 0 and not report.written
    assert report.errors[0]["message"].startswith(
        "工作表“二组”像是花名册，但表头缺少必需的列：身份证号"
    )


def test_a_list_of_people_beside_the_roster_is_skipped_with_a_warning(client, world, tmp_path):
    path = make_book(
        tmp_path / "with-list.xlsx",
        {
            "花名册": [HEADER, [1, "名单旁户主", make_id(), "", "户主", "甲村27号", GRID]],
            "低保户": [["姓名", "身份证号码", "村民小组"], ["某低保", make_id(), GRID]],
        },
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.created == 1 and report.rows == 1
    assert report.skipped_sheets == [{"sheet": "低保户", "missing": ["户编号", "与户主关系"]}]


def test_an_unreadable_relation_on_a_head_row_keeps_the_next_family_apart(world, tmp_path):
    rows = [
        [1, "甲家户主", make_id(), "", "户主", "甲村28号", GRID],
        [2, "甲家妻", make_id(dt.date(1981, 1, 1), "F"), "", "妻", "", ""],
        [3, "乙家户主", make_id(), "", "户头", "甲村29号", GRID],
        [4, "乙家妻", make_id(dt.date(1982, 1, 1), "F"), "", "妻", "", ""],
        [5, "丙家户主", make_id(), "", "户主(本人)", "甲村30号", GRID],
    ]
    report = _import(world, tmp_path, rows)
    assert report.created == 3  # 甲 (two) and 丙; 乙's family waits for its relation
    assert not Resident.objects.filter(name__in=["乙家户主", "乙家妻"]).exists()
    assert {e["row"] for e in report.errors} == {4, 5}
    assert Resident.objects.get(name="丙家户主").relation == "head"


def test_a_members_row_elsewhere_does_not_move_the_household(world, tmp_path):
    a = world.a
    head = a.head
    header = ["姓名", "身份证号", "与户主关系", "户编号", "家庭住址", "所属网格"]
    other_grid = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家二中心户"
    rows = [["新生儿", make_id(dt.date(2024, 5, 5)), "子", head.household.number, "", other_grid]]
    report = _import(world, tmp_path, rows, header=header)
    assert report.created == 0 and "户的所属网格请在户主那一行修改" in report.errors[0]["message"]
    head.household.refresh_from_db()
    assert head.household.node == a.grid


def test_a_head_change_is_refused_with_the_right_words(world, tmp_path):
    a = world.a
    head, child = a.head, a.child
    header = ["姓名", "身份证号", "与户主关系", "户编号", "家庭住址", "所属网格"]
    rows = [[child.name, child.id_number, "户主", head.household.number, "", GRID]]
    report = _import(world, tmp_path, rows, header=header)
    messages = {e["message"] for e in report.errors}
    assert messages == {
        f"该户在系统中的户主是 {head.name}，与本行不同；"
        "更换户主请在该户页面点“户主变更”办理，不能通过导入更换"
    }


def _export_with_head_edited(world, tmp_path, edits: dict) -> str:
    """The cadre's (masked) residents export, with cells of the head's row changed."""
    from openpyxl import load_workbook

    from xiangzhi.people.exports import export_list

    a = world.a
    path = tmp_path / "exp.xlsx"
    export_list(
        actor=a.cadre, kind="residents", queryset=Resident.objects.for_actor(a.cadre), target=path
    )
    wb = load_workbook(path)
    ws = wb.active
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("姓名")].value == a.head.name)
    assert "*" in row[header.index("身份证号")].value  # masked: the sheet cannot be checked alone
    for column, value in edits.items():
        row[header.index(column)].value = value
    wb.save(path)
    return path


def test_a_masked_export_edited_against_its_ids_is_refused(world, tmp_path):
    a = world.a
    edits = {"性别": "女" if a.head.gender == "M" else "男", "出生日期": dt.date(1911, 1, 2)}
    path = _export_with_head_edited(world, tmp_path, edits)
    report = registry_import(actor=a.cadre, kind="residents", path=path)
    assert {e["column"] for e in report.errors} == {"性别", "出生日期"} and report.updated == 0
    a.head.refresh_from_db()
    assert a.head.birth_date != dt.date(1911, 1, 2)


def test_a_grid_worker_may_write_the_full_path_from_the_village(world, tmp_path):
    from xiangzhi.core.scope import scope_for

    worker = world.a.worker
    if not scope_for(worker).can_write_path(world.a.grid.path):
        pytest.skip("grid workers do not register residents here")
    path = make_sheet(
        tmp_path / "w.xlsx", [HEADER, [1, "网格员登记", make_id(), "", "户主", "甲村31号", GRID]]
    )
    report = registry_import(actor=worker, kind="residents", path=path)
    assert report.errors == [] and report.created == 1
    # An ancestor is only a name on the way: registering there is still refused.
    path = make_sheet(
        tmp_path / "w2.xlsx", [HEADER, [1, "越级登记", make_id(), "", "户主", "甲村32号", "甲村"]]
    )
    report = registry_import(actor=worker, kind="residents", path=path)
    assert "不在您的管辖范围内" in report.errors[0]["message"]


def test_a_scoped_import_cannot_give_a_new_family_a_number_used_outside_its_scope(world, tmp_path):
    from xiangzhi.people.models import Household

    a = world.a
    theirs = Household.objects.get(node=a.sibling_grid)  # the grid worker does not cover it
    header = ["姓名", "身份证号", "与户主关系", "户编号", "家庭住址", "所属网格"]
    path = make_sheet(
        tmp_path / "w.xlsx",
        [header, ["同号新户", make_id(), "户主", theirs.number, "甲村33号", GRID]],
    )
    report = registry_import(actor=a.worker, kind="residents", path=path)
    assert report.created == 0
    assert (
        report.errors[0]["message"]
        == f"户编号 {theirs.number} 在本村已被另一户使用，请换一个户编号"
    )
    assert Household.objects.filter(number=theirs.number).count() == 1


def test_a_households_sheet_reports_relation_problems_in_a_column_it_has(world, tmp_path):
    child = world.a.child
    header = ["户主姓名", "户主身份证号", "家庭住址", "所属网格"]
    path = make_sheet(
        tmp_path / "hh.xlsx", [header, [child.name, child.id_number, "甲村34号", GRID]]
    )
    report = registry_import(actor=world.a.cadre, kind="households", path=path)
    assert [(e["column"], e["message"][:8]) for e in report.errors] == [
        ("户主姓名", "该居民已是另一户")
    ]


def test_a_masked_export_row_given_only_a_birth_month_takes_the_registered_day(world, tmp_path):
    a = world.a
    born = a.head.birth_date
    path = _export_with_head_edited(world, tmp_path, {"出生日期": f"{born.year}年{born.month}月"})
    report = registry_import(actor=a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.updated == 0
    a.head.refresh_from_db()
    assert a.head.birth_date == born


def test_rows_hidden_by_a_filter_are_not_imported_and_the_page_says_so(client, world, tmp_path):
    from io import StringIO

    from django.core.management import call_command
    from openpyxl import Workbook

    from xiangzhi.core.models import ImportJob

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([1, "筛选户主", make_id(), "", "户主", "甲村40号", GRID])
    ws.append([2, "筛选之妻", make_id(dt.date(1980, 2, 2), "F"), "", "妻", "", ""])
    ws.append([3, "二组户主", make_id(), "", "户主", "甲村41号", GRID])
    ws.append([4, "二组之子", make_id(dt.date(2001, 3, 3)), "", "子", "", ""])
    ws.auto_filter.ref = "A1:G5"
    for n in (3, 4, 5):
        ws.row_dimensions[n].hidden = True
    path = tmp_path / "filtered.xlsx"
    wb.save(path)
    out = StringIO()
    call_command("import_xlsx", "residents", str(path), "--dry-run", stdout=out)
    assert "表格中有 3 行被隐藏或被筛选掉了（第 3 行、第 4 行、第 5 行），这些行没有导入" in (
        out.getvalue()
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.created == 1
    assert Resident.objects.filter(name__in=["筛选户主"]).count() == 1
    assert not Resident.objects.filter(name__in=["筛选之妻", "二组户主", "二组之子"]).exists()
    assert (report.hidden_rows, report.hidden_examples) == (3, ["第 3 行", "第 4 行", "第 5 行"])
    job = ImportJob.objects.create(
        created_by=world.a.cadre,
        kind="residents",
        file_name="filtered.xlsx",
        status=ImportJob.Status.DONE,
        report=report.as_dict(),
    )
    client.force_login(world.a.cadre)
    page = client.get(f"/sheets/import/jobs/{job.pk}/").content.decode()
    assert "有 3 行被隐藏或被筛选掉了（第 3 行、第 4 行、第 5 行）" in page


def test_a_looked_up_id_that_shows_na_is_an_error_never_a_person_without_id(world, tmp_path):
    from ..xlsx_helpers import with_error_cells

    rows = [
        [1, "公式户主", make_id(), "", "户主", "甲村60号", GRID],
        [2, "公式之子", "ERR:#N/A", "", "子", "", ""],
        ["", "", "ERR:#N/A", "ERR:#N/A", "", "", ""],  # the formula dragged down, no one here
    ]
    path = with_error_cells(make_sheet(tmp_path / "r.xlsx", [HEADER, *rows]))
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "身份证号")]
    assert "公式的错误结果 #N/A" in report.errors[0]["message"]
    assert report.created == 1 and not Resident.objects.filter(name="公式之子").exists()


def _error_sheet(tmp_path, rows, header=HEADER, merge=None):
    from openpyxl import Workbook

    from ..xlsx_helpers import with_error_cells

    wb = Workbook()
    ws = wb.active
    for row in [header, *rows]:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    path = tmp_path / "e.xlsx"
    wb.save(path)
    return with_error_cells(path)


def test_each_cell_showing_an_error_gets_one_message_and_its_household_a_reason(world, tmp_path):
    rows = [
        [1, "错网格户主", make_id(), "", "户主", "甲村61号", "ERR:#N/A"],
        [2, "错网格之妻", make_id(dt.date(1981, 1, 1), "F"), "", "妻", "", ""],
        [3, "错网格之子", make_id(dt.date(2003, 1, 1)), "", "子", "", ""],
        [4, "错关系户主", make_id(), "", "户主", "甲村62号", GRID],
        [5, "错关系成员", make_id(dt.date(1999, 9, 9)), "", "ERR:#N/A", "", ""],
    ]
    report = registry_import(
        actor=world.a.cadre, kind="residents", path=_error_sheet(tmp_path, rows, merge="G2:G4")
    )
    by_row = {}
    for e in report.errors:
        by_row.setdefault(e["row"], []).append((e["column"], e["message"]))
    # The merged 所属网格 shows #N/A over the whole household: each row's cell is that error.
    for n in (2, 3, 4):
        assert len(by_row[n]) == 1 and "公式的错误结果 #N/A" in by_row[n][0][1], by_row[n]
    assert len(by_row[6]) == 1 and by_row[6][0][0] == "与户主关系"
    assert "公式的错误结果" in by_row[6][0][1]
    # The row whose relation is unknown may start the next family: the head before it imports.
    assert report.created == 1 and Resident.objects.filter(name="错关系户主").exists()


def test_a_grid_error_on_the_head_row_is_named_on_the_members_rows(world, tmp_path):
    rows = [
        [1, "网错户主", make_id(), "", "户主", "甲村63号", "ERR:#REF!"],
        [2, "网错之妻", make_id(dt.date(1982, 2, 2), "F"), "", "妻", "", ""],
    ]
    report = registry_import(
        actor=world.a.cadre, kind="residents", path=_error_sheet(tmp_path, rows)
    )
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "所属网格"), (3, "所属网格")]
    assert "#REF!" in report.errors[0]["message"]
    assert report.errors[1]["message"] == "第 2 行的所属网格无法读取，该户无法导入"


def test_a_member_whose_name_and_id_show_na_is_reported_not_skipped(world, tmp_path):
    rows = [
        [1, "查表户主", make_id(), "", "户主", "甲村64号", GRID],
        [2, "ERR:#N/A", "ERR:#N/A", "13900001111", "子", "", ""],
        [3, "ERR:#N/A", "ERR:#N/A", "", "", "", ""],  # dragged down: nothing but its 序号
    ]
    report = registry_import(
        actor=world.a.cadre, kind="residents", path=_error_sheet(tmp_path, rows)
    )
    assert {e["row"] for e in report.errors} == {3} and report.skipped == 1


def test_of_two_phone_columns_the_readable_one_is_taken(world, tmp_path):
    header = ["姓名", "身份证号", "联系电话", "手机号", "与户主关系", "家庭住址", "所属网格"]
    rows = [["双号户主", make_id(), "ERR:#N/A", "13700001111", "户主", "甲村65号", GRID]]
    report = registry_import(
        actor=world.a.cadre, kind="residents", path=_error_sheet(tmp_path, rows, header=header)
    )
    assert report.errors == [] and Resident.objects.get(name="双号户主").phone == "13700001111"
