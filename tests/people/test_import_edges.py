"""Edge cases of the roster import found in review: scope of writes, households that must not be
taken over, errors that must not be lost, and re-imports that must change nothing."""

import datetime as dt

from xiangzhi.accounts.services import role_assign
from xiangzhi.core.crypto import mask_id_number
from xiangzhi.core.roles import Role
from xiangzhi.people.exports import export_list
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import ResidentData, resident_add
from xiangzhi.people.services.imports import registry_import

from ..factories import UserFactory, make_id
from ..xlsx_helpers import make_sheet

GRID = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"
GRID2 = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家二中心户"


def messages(report):
    return " ".join(e["message"] for e in report.errors)


def test_a_masked_phone_that_does_not_match_is_an_error(world, tmp_path):
    a = world.a
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            [
                "系统编号",
                "姓名",
                "身份证号",
                "联系电话",
                "与户主关系",
                "户编号",
                "家庭住址",
                "所属网格",
            ],
            [
                a.head.pk,
                a.marker_name,
                mask_id_number(a.head.id_number),
                "139****0000",
                "户主",
                "a-001",
                a.marker_address,
                GRID,
            ],
        ],
    )
    report = registry_import(actor=a.cadre, kind="residents", path=path, all_or_nothing=True)
    assert "脱敏电话" in messages(report) and not report.written


def test_a_households_sheet_keeps_its_note_on_the_household(world, tmp_path):
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            ["户编号", "户主姓名", "户主身份证号", "家庭住址", "所属网格", "备注"],
            ["a-201", "甲备注", make_id(dt.date(1966, 1, 1), "M"), "甲村31号", GRID2, "五保"],
        ],
    )
    assert registry_import(actor=world.a.cadre, kind="households", path=path).created == 1
    h = Household.objects.get(number="a-201")
    assert (h.note, h.head.note) == ("五保", "")
    again = registry_import(actor=world.a.cadre, kind="households", path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_member_listed_as_head_does_not_take_over_their_household(world, tmp_path):
    a = world.a
    for kind, rows in [
        (
            "households",
            [
                ["户编号", "户主姓名", "户主身份证号", "家庭住址", "所属网格"],
                ["a-900", a.child.name, a.child.id_number, "甲村99号", GRID],
            ],
        ),
        (
            "residents",
            [
                ["户编号", "姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"],
                ["a-900", a.child.name, a.child.id_number, "户主", "甲村99号", GRID],
                ["a-900", "甲新配偶", make_id(dt.date(1990, 1, 1), "F"), "配偶", "", ""],
            ],
        ),
    ]:
        report = registry_import(
            actor=a.cadre, kind=kind, path=make_sheet(tmp_path / f"{kind}.xlsx", rows)
        )
        assert "分户" in messages(report), kind
        hh = Household.objects.get(pk=a.household.pk)
        assert (hh.number, hh.address) == ("a-001", a.marker_address)
        assert list(hh.members.filter(relation="head").values_list("pk", flat=True)) == [a.head.pk]
    assert not Resident.objects.filter(name="甲新配偶").exists()


def test_a_sheet_neither_demotes_the_head_nor_makes_a_member_head(world, tmp_path):
    """Only 户主变更 changes who is head: a row that says 子 for the head (a group without a
    head row) or 户主 for a member is an error, and nothing of the household changes."""
    a = world.a
    rows = [
        ["户编号", "姓名", "身份证号", "与户主关系", "所属网格"],
        ["a-001", a.head.name, a.head.id_number, "子", GRID],
    ]
    report = registry_import(
        actor=a.cadre, kind="residents", path=make_sheet(tmp_path / "1.xlsx", rows)
    )
    assert "户主变更" in messages(report)
    assert Resident.objects.get(pk=a.head.pk).relation == "head"
    hh = Household.objects.get(pk=a.household.pk)
    assert hh.head_id == a.head.pk
    assert list(hh.members.filter(relation="head").values_list("pk", flat=True)) == [a.head.pk]


def test_a_sheet_puts_back_the_relation_of_a_head_an_older_import_demoted(world, tmp_path):
    """Who is head is the household's own head: a head left with another relation by an older
    import is put back as 户主, not refused as a change of head."""
    a = world.a
    Resident.objects.filter(pk=a.head.pk).update(relation="child")
    rows = [
        ["户编号", "姓名", "身份证号", "与户主关系", "所属网格"],
        ["a-001", a.head.name, a.head.id_number, "户主", GRID],
    ]
    path = make_sheet(tmp_path / "3.xlsx", rows)
    report = registry_import(actor=a.cadre, kind="residents", path=path)
    assert not report.errors, messages(report)
    assert Resident.objects.get(pk=a.head.pk).relation == "head"


def test_a_system_number_given_twice_in_a_sheet_is_an_error(world, tmp_path):
    """A row copied to add a newcomer with its 系统编号 left in renamed the person it names and
    gave them the newcomer's ID."""
    a = world.a
    child = Resident.objects.get(pk=a.child.pk)
    rows = [
        ["系统编号", "姓名", "身份证号", "与户主关系", "户编号", "所属网格"],
        [child.pk, child.name, child.id_number_masked, "子", "a-001", GRID],
        [child.pk, "甲新来", make_id(dt.date(2016, 7, 1), "M"), "子", "a-001", GRID],
    ]
    report = registry_import(
        actor=a.cadre, kind="residents", path=make_sheet(tmp_path / "2.xlsx", rows)
    )
    assert "与第 2 行的系统编号重复" in messages(report)
    child.refresh_from_db()
    assert (child.name, child.id_number) == (a.child.name, a.child.id_number)


def test_a_new_head_does_not_join_the_household_of_an_existing_member(world, tmp_path):
    a = world.a
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            ["户编号", "姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"],
            ["a-901", "甲新户主", make_id(dt.date(1980, 1, 1), "M"), "户主", "甲村98号", GRID],
            ["a-901", a.child.name, a.child.id_number, "子", "", ""],
        ],
    )
    report = registry_import(actor=a.cadre, kind="residents", path=path)
    new = Resident.objects.get(name="甲新户主")
    assert new.household_id != a.household.pk and new.household.number == "a-901"
    assert "已登记在其他户" in messages(report)
    assert Household.objects.get(pk=a.household.pk).number == "a-001"


def test_someone_elses_full_id_on_a_system_number_row_is_an_error(world, tmp_path):
    a = world.a
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            ["系统编号", "姓名", "身份证号", "与户主关系", "户编号", "所属网格"],
            [a.child.pk, a.child.name, a.head.id_number, "子", "a-001", GRID],
        ],
    )
    report = registry_import(actor=a.cadre, kind="residents", path=path)
    assert "已登记在其他居民名下" in messages(report)
    assert Resident.objects.get(pk=a.child.pk).id_number == a.child.id_number


def _reader_of_the_sibling_grid(world):
    """A grid worker of one grid who, as group leader, can read (not write) the sibling grid."""
    user = UserFactory(username="dual")
    role_assign(actor=world.admin, user=user, role=Role.GRID_WORKER, node=world.a.grid)
    role_assign(actor=world.admin, user=user, role=Role.GROUP_LEADER, node=world.a.group)
    return user


def test_rows_naming_read_only_records_write_nothing(world, tmp_path):
    a = world.a
    user = _reader_of_the_sibling_grid(world)
    other = a.other_head
    by_pk = make_sheet(
        tmp_path / "pk.xlsx",
        [
            ["系统编号", "姓名", "身份证号", "与户主关系", "户编号", "所属网格"],
            [
                other.pk,
                "改过的名字",
                mask_id_number(other.id_number),
                "户主",
                "a-002",
                "甲家中心户",
            ],
        ],
    )
    by_number = make_sheet(
        tmp_path / "n.xlsx",
        [
            ["姓名", "身份证号", "与户主关系", "户编号", "所属网格"],
            ["甲外来", make_id(dt.date(1990, 2, 2), "M"), "子", "a-002", "甲家中心户"],
        ],
    )
    for path in (by_pk, by_number):
        report = registry_import(actor=user, kind="residents", path=path)
        assert report.errors and report.created == 0 and report.updated == 0
    other.refresh_from_db()
    h = Household.objects.get(pk=a.other_household.pk)
    assert other.name != "改过的名字" and h.node_id == a.sibling_grid.pk
    assert not Resident.objects.filter(name="甲外来").exists()


def test_a_relation_column_is_no_second_header_row(world, tmp_path):
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            ["户编号", "户主姓名", "户主身份证号", "与户主关系", "家庭住址", "所属网格"],
            ["a-301", "甲一户", make_id(dt.date(1970, 1, 1), "M"), "户主", "甲村41号", GRID2],
            ["a-302", "甲二户", make_id(dt.date(1971, 1, 1), "M"), "户主", "甲村42号", GRID2],
        ],
    )
    report = registry_import(actor=world.a.cadre, kind="households", path=path)
    assert (report.rows, report.created, report.errors) == (2, 2, [])


def test_a_header_over_two_rows_with_names_in_both(world, tmp_path):
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            ["甲双行", make_id(dt.date(1975, 5, 5), "M"), "户主", "甲村7号", GRID],
        ],
        two_row_header=(
            ["姓名", "证件信息", "家庭情况", "", ""],
            ["", "身份证号", "与户主关系", "家庭住址", "所属网格"],
        ),
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.created == 1


def test_a_bad_head_row_changes_nothing_of_the_household(world, tmp_path):
    a = world.a
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            ["户编号", "姓名", "身份证号", "联系电话", "与户主关系", "家庭住址", "所属网格"],
            ["a-001", a.marker_name, a.head.id_number, "12345", "户主", "新地址9号", GRID],
        ],
    )
    report = registry_import(actor=a.cadre, kind="residents", path=path)
    assert report.errors and Household.objects.get(pk=a.household.pk).address == a.marker_address


def test_the_same_number_in_two_villages_is_two_households(world, tmp_path):
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            ["户编号", "姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"],
            ["001", "甲甲", make_id(dt.date(1970, 1, 1), "M"), "户主", "甲村1号", "430521100201"],
            ["001", "乙乙", make_id(dt.date(1971, 1, 1), "M"), "户主", "乙村1号", "430521100202"],
        ],
    )
    report = registry_import(actor=world.chief, kind="residents", path=path)
    assert report.errors == [] and report.created == 2
    yy = Resident.objects.get(name="乙乙")
    assert yy.node_id == world.b.node.pk and yy.household.address == "乙村1号"


def test_an_empty_id_cell_on_a_system_number_row_keeps_the_id(world, tmp_path):
    a = world.a
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            ["系统编号", "姓名", "性别", "身份证号", "与户主关系", "户编号", "所属网格"],
            [a.child.pk, a.child.name, "女", "", "子", "a-001", GRID],
        ],
    )
    report = registry_import(actor=a.cadre, kind="residents", path=path)
    assert (
        report.updated == 0 and Resident.objects.get(pk=a.child.pk).id_number == a.child.id_number
    )


def test_every_relation_survives_export_and_import(world, tmp_path):
    a = world.a
    for relation in Resident.Relation.values:
        if relation == "head":
            continue
        resident_add(
            actor=world.admin,
            household=a.household,
            kind="move_in",
            data=ResidentData(
                name=f"甲{relation[:3]}",
                relation=relation,
                id_number=make_id(dt.date(1990, 3, 3), "F"),
            ),
        )
    path = tmp_path / "exp.xlsx"
    export_list(
        actor=a.cadre, kind="residents", queryset=Resident.objects.for_actor(a.cadre), target=path
    )
    report = registry_import(actor=a.cadre, kind="residents", path=path)
    assert (report.errors, report.created, report.updated) == ([], 0, 0)


def test_an_unknown_relation_word_is_an_error_not_a_guess(world, tmp_path):
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            ["姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"],
            ["甲主", make_id(dt.date(1970, 1, 1), "M"), "户主", "甲村1号", GRID],
            ["甲某", make_id(dt.date(1990, 1, 1), "M"), "干儿子", "", ""],
        ],
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert [e["row"] for e in report.errors] == [3] and "干儿子" in report.errors[0]["message"]


def test_an_internal_failure_names_no_data(world, tmp_path, monkeypatch):
    from xiangzhi.core.models import ImportJob
    from xiangzhi.core.sheets import runner

    def boom(**kwargs):
        raise RuntimeError("Key (id_number_index)=(abc123) already exists")

    monkeypatch.setattr(runner, "sheet_import", boom)
    job = ImportJob.objects.create(
        created_by=world.a.cadre,
        kind="residents",
        file_name="x.xlsx",
        stored_as=str(tmp_path / "x.xlsx"),
    )
    runner.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "abc123" not in str(job.report)
    # A second delivery of the same task does nothing.
    assert runner.import_job_run(job_id=job.pk).status == "failed"


def test_a_number_of_another_village_is_refused_without_saying_where_or_whose(world, tmp_path):
    """No existence oracle in imports (issue 10, point 7): the row's message is the same generic
    one the registration form gives, naming neither the person nor the village."""
    b = world.b
    path = make_sheet(
        tmp_path / "x.xlsx",
        [
            ["姓名", "身份证号", "与户主关系", "户编号", "所属网格"],
            ["冒名", b.head.id_number, "子", "a-001", GRID],
        ],
    )
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    text = messages(report)
    assert "不能在此登记" in text and "联系乡镇管理员" in text
    for leak in (b.marker_name, "乙村", "管辖范围", "已登记"):
        assert leak not in text, leak
    assert report.created == 0 and not Resident.objects.filter(name="冒名").exists()


def test_a_sheet_exported_with_the_older_mask_still_imports_back(world, tmp_path):
    """Sheets exported before the masks hid the sequence digits carry 4305**********1234: they
    still name their person; a mask of neither form is an error."""
    from xiangzhi.core.crypto import legacy_mask_id_number, mask_phone

    a = world.a
    header = [
        "系统编号",
        "姓名",
        "身份证号",
        "联系电话",
        "与户主关系",
        "户编号",
        "家庭住址",
        "所属网格",
    ]

    def row(id_mask: str) -> list:
        phone = mask_phone(a.head.phone)
        return [a.head.pk, a.marker_name, id_mask, phone, "户主", "a-001", a.marker_address, GRID]

    old = make_sheet(tmp_path / "old.xlsx", [header, row(legacy_mask_id_number(a.head.id_number))])
    report = registry_import(actor=a.cadre, kind="residents", path=old)
    assert report.errors == [] and (report.created, report.updated) == (0, 0)
    wrong = a.head.id_number[:4] + "*" * 10 + "0000"
    bad = make_sheet(tmp_path / "bad.xlsx", [header, row(wrong)])
    assert "脱敏身份证号" in messages(registry_import(actor=a.cadre, kind="residents", path=bad))
