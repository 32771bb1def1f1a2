"""Hostile review of the sheet imports and exports: what a user types never becomes a formula
in an exported sheet, crafted cells are errors of their row and column (never a failed job),
numbers shared by two villages are never guessed, and an export reads back unchanged."""

from __future__ import annotations

import io
import json
from io import StringIO

from django.core.management import call_command
from openpyxl import load_workbook

from xiangzhi.grid.services import node_update

FORMULA = '=HYPERLINK("http://example.invalid/x","点此")'


def _export(tmp_path, kind, user, *extra):
    out = tmp_path / f"{kind}-{user.username}.xlsx"
    call_command(
        "export_xlsx", kind, "-o", str(out), "--user", user.username, *extra, stdout=StringIO()
    )
    return out


def test_a_grid_name_that_looks_like_a_formula_is_text_in_every_exports_title(world, tmp_path):
    a = world.a
    node_update(actor=world.admin, node=a.node, name=f"{FORMULA}村\x0b一", code=None)
    a.node.refresh_from_db()
    for kind in ("residents", "points_ledger", "appeals", "visits"):
        title = load_workbook(_export(tmp_path, kind, a.cadre)).active["A1"]
        assert title.data_type == "s", (kind, title.value)
        assert title.value.startswith(f"{FORMULA}村一"), title.value
    # The grid page's own summary sheet and the roster template's list of grids, too.
    from tests.conftest import Client

    client = Client()
    client.force_login(a.cadre)
    body = b"".join(client.get(f"/grid/nodes/{a.node.pk}/export/").streaming_content)
    assert load_workbook(io.BytesIO(body)).active["A1"].data_type == "s"
    body = b"".join(client.get("/sheets/import/template/residents/").streaming_content)
    grids = [c for c in load_workbook(io.BytesIO(body))["可填写的网格"]["A"][1:]]
    assert grids and all(c.data_type == "s" and c.value.startswith(FORMULA) for c in grids)


def _import(tmp_path, kind, path, user, *extra):
    report = tmp_path / f"{kind}-{user.username}.json"
    call_command(
        "import_xlsx",
        kind,
        str(path),
        "--user",
        user.username,
        "--report",
        str(report),
        *extra,
        stdout=StringIO(),
    )
    return json.loads(report.read_text())


def test_a_crafted_score_or_reply_of_a_past_appeal_is_an_error_of_its_row_and_column(
    world, tmp_path
):
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.appeals.models import Appeal

    a = world.a
    number = a.household.number
    header = ["提出日期", "户编号", "所属网格", "诉求内容", "答复内容", "答复日期", "评分"]
    rows = [
        ["2025-03-04", number, "", "甲村无穷分", "已办", "2025-03-05", "inf"],
        ["2025-03-04", number, "", "甲村溢出分", "已办", "2025-03-05", "1e999"],
        ["2025-03-04", number, "", "甲村半分", "已办", "2025-03-05", "4.5"],
        ["2025-03-04", number, "", "甲村太长的答复", "答" * 2001, "2025-03-05", ""],
        ["2025-03-04", "", world.township.name, "甲村写到镇上", "", "", ""],
        ["2025-03-04", number, "", "甲村好好的一件", "已办", "2025-03-05", "5"],
    ]
    before = Appeal.objects.count()
    report = _import(
        tmp_path, "appeals", make_sheet(tmp_path / "诉求.xlsx", [header, *rows]), a.cadre
    )
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (2, "评分"),
        (3, "评分"),
        (4, "评分"),
        (5, "答复内容"),
        (6, "所属网格"),
    ], report["errors"]
    assert report["created"] == 1 and Appeal.objects.count() == before + 1


def test_points_past_any_real_ledger_are_an_error_of_their_row_never_a_failed_import(
    world, tmp_path
):
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.points.models import PointEntry

    number = world.a.household.number
    rows = [
        ["户编号", "日期", "分值", "事由"],
        [number, "2025-03-04", "1e20", "甲村溢出的积分"],
        [number, "2025-03-04", "99999999999", "甲村超过整数列的积分"],
        [number, "2025-03-04", -2_000_000, "甲村扣到底"],
        [number, "2025-03-04", 3, "甲村正常的积分"],
    ]
    before = PointEntry.objects.count()
    report = _import(
        tmp_path, "points_ledger", make_sheet(tmp_path / "积分.xlsx", rows), world.a.cadre
    )
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (2, "分值"),
        (3, "分值"),
        (4, "分值"),
    ], report["errors"]
    assert report["created"] == 1 and PointEntry.objects.count() == before + 1


def test_an_exported_appeals_ledger_reads_back_unchanged(world, tmp_path):
    from xiangzhi.appeals.models import Appeal
    from xiangzhi.appeals.services import appeal_submit

    a = world.a
    # Raised at some hour of a day (not at the noon an imported row is dated), with text a
    # sheet reads back folded: full-width letters, two lines, a run of spaces.
    appeal_submit(
        actor=a.cadre, node=a.grid, text="甲村　ＡＢＣ路段\n坑洼   积水", source="walk_in"
    )
    for user in (a.cadre, world.chief):
        before = Appeal.objects.count()
        report = _import(tmp_path, "appeals", _export(tmp_path, "appeals", user), user)
        assert (report["errors"], report["created"]) == ([], 0), report
        assert report["unchanged"] == report["rows"] >= 3
        assert Appeal.objects.count() == before


def _same_number_in_both_villages(world) -> str:
    """Villages number their households on their own: both have a 001."""
    from xiangzhi.people.models import Household

    Household.objects.filter(pk__in=[world.a.household.pk, world.b.household.pk]).update(
        number="001"
    )
    return "001"


def test_a_number_two_villages_use_is_never_guessed_for_a_township_user(world, tmp_path):
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.appeals.models import Appeal
    from xiangzhi.points.models import PointEntry

    number = _same_number_in_both_villages(world)
    b = world.b
    points = [
        ["户编号", "所属网格", "日期", "分值", "事由"],
        [number, "", "2025-03-04", 3, "哪个村的001"],
        [number, b.node.code, "2025-03-04", 4, "乙村的001"],
    ]
    report = _import(
        tmp_path, "points_ledger", make_sheet(tmp_path / "p.xlsx", points), world.chief
    )
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "户编号")], report
    entry = PointEntry.objects.get(reason="乙村的001")
    assert entry.household_id == b.household.pk
    assert not PointEntry.objects.filter(reason="哪个村的001").exists()

    appeals = [
        ["提出日期", "户编号", "所属网格", "诉求内容"],
        ["2025-03-04", number, "", "哪个村的诉求"],
        ["2025-03-04", number, b.node.code, "乙村001的诉求"],
    ]
    report = _import(tmp_path, "appeals", make_sheet(tmp_path / "a.xlsx", appeals), world.chief)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "户编号")], report
    assert Appeal.objects.get(text="乙村001的诉求").household_id == b.household.pk
    assert not Appeal.objects.filter(text="哪个村的诉求").exists()


def test_a_township_users_exports_read_back_unchanged_when_villages_share_a_number(world, tmp_path):
    from xiangzhi.party.models import ContactLink
    from xiangzhi.points.models import PointEntry

    _same_number_in_both_villages(world)
    for kind in ("points_ledger", "contact_links", "appeals"):
        entries, links = PointEntry.objects.count(), ContactLink.objects.count()
        report = _import(tmp_path, kind, _export(tmp_path, kind, world.chief), world.chief)
        assert (report["errors"], report["created"]) == ([], 0), (kind, report)
        assert report["unchanged"] == report["rows"] >= 4, (kind, report)
        assert (PointEntry.objects.count(), ContactLink.objects.count()) == (entries, links)


def test_a_grid_workers_link_table_naming_a_member_of_another_grid_reads_back_unchanged(
    world, tmp_path
):
    from xiangzhi.party.models import ContactLink

    # The worker's household is contacted by a member who lives in the sibling grid: the
    # exported table says 其他网格的党员 in place of the name the worker may not see.
    worker = world.a.worker
    before = ContactLink.objects.count()
    report = _import(tmp_path, "contact_links", _export(tmp_path, "contact_links", worker), worker)
    assert (report["errors"], report["created"], report["unchanged"]) == ([], 0, 1), report
    assert ContactLink.objects.count() == before


def test_a_control_character_escaped_in_a_cell_is_dropped_never_stored_or_a_failed_import(
    world, tmp_path
):
    """Excel writes a control character as _x0000_ in the sheet's XML, and calamine gives it
    back as one: PostgreSQL refuses a NUL in a text column, failing the whole job."""
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.appeals.models import Appeal
    from xiangzhi.core import xlsx
    from xiangzhi.points.models import PointEntry

    assert xlsx.text("a_\x00b\x01c\x7f") == xlsx.compact("a_\x00b\x01c\x7f") == "a_bc"
    assert xlsx.text("甲\x00村 \x1f一组") == "甲村 一组"
    number = world.a.household.number
    points = [
        ["户编号", "日期", "分值", "事由"],
        [f"{number}_x0000_", "2025-03-04", 3, "甲村_x0000_扫_x0001_地"],
    ]
    report = _import(
        tmp_path, "points_ledger", make_sheet(tmp_path / "p.xlsx", points), world.a.cadre
    )
    assert (report["errors"], report["created"]) == ([], 1), report
    assert PointEntry.objects.filter(reason="甲村扫地").exists()
    appeals = [
        ["提出日期", "户编号", "诉求内容"],
        ["2025-03-04", number, "甲村_x0000_路灯_x0008_坏了"],
    ]
    report = _import(tmp_path, "appeals", make_sheet(tmp_path / "a.xlsx", appeals), world.a.cadre)
    assert (report["errors"], report["created"]) == ([], 1), report
    assert Appeal.objects.filter(text="甲村路灯坏了").exists()


def test_a_past_appeal_answered_on_a_future_day_is_an_error_of_its_reply_date(world, tmp_path):
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.appeals.models import Appeal

    rows = [
        ["提出日期", "户编号", "诉求内容", "答复内容", "答复日期", "评分"],
        ["2025-03-04", world.a.household.number, "甲村答复在将来", "已办", "9999-12-31", "5"],
    ]
    report = _import(tmp_path, "appeals", make_sheet(tmp_path / "a.xlsx", rows), world.a.cadre)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "答复日期")], report
    assert not Appeal.objects.filter(text="甲村答复在将来").exists()


def test_an_appeal_of_today_imported_in_the_morning_is_not_said_to_be_in_the_future(
    world, tmp_path, monkeypatch
):
    import datetime as dt

    from django.utils import timezone

    from tests.xlsx_helpers import make_sheet
    from xiangzhi.appeals.models import Appeal

    morning = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(8, 30)))
    monkeypatch.setattr(timezone, "now", lambda: morning)
    today = morning.date().isoformat()
    rows = [
        ["提出日期", "户编号", "诉求内容", "答复内容", "答复日期"],
        [today, world.a.household.number, "甲村今早登记的诉求", "", ""],
        [today, world.a.household.number, "甲村今早答复的诉求", "已办", today],
    ]
    path = make_sheet(tmp_path / "a.xlsx", rows)
    report = _import(tmp_path, "appeals", path, world.a.cadre)
    assert (report["errors"], report["created"]) == ([], 2), report
    assert Appeal.objects.get(text="甲村今早答复的诉求").replied_at <= morning
    again = _import(tmp_path, "appeals", path, world.a.cadre)
    assert (again["errors"], again["created"], again["unchanged"]) == ([], 0, 2), again


def test_a_ledger_with_full_width_punctuation_and_reversals_reads_back_unchanged(world, tmp_path):
    """Chinese text is written with full-width punctuation (，：（）), which the sheet reader
    folds to ASCII: an entry must still be found by its reason."""
    import datetime as dt

    from xiangzhi.points.models import PointEntry
    from xiangzhi.points.services import account_for, entry_post
    from xiangzhi.points.services.ledger import entry_reverse

    a = world.a
    account = account_for(household=a.household)
    day = dt.date(2025, 5, 6)
    entry = entry_post(
        actor=a.cadre,
        account=account,
        amount=4,
        reason="甲村（东组）清扫，好！",
        source="import",
        occurred_on=day,
    )
    entry_reverse(actor=world.chief, entry=entry, reason="记错了：不是这户")
    before = PointEntry.objects.count()
    report = _import(
        tmp_path, "points_ledger", _export(tmp_path, "points_ledger", a.cadre), a.cadre
    )
    assert (report["errors"], report["created"]) == ([], 0), report
    assert report["unchanged"] == report["rows"]
    assert PointEntry.objects.count() == before


def test_a_roster_with_full_width_text_reads_back_unchanged_and_keeps_it(world, tmp_path):
    from xiangzhi.people.models import Household, Resident

    a = world.a
    address, note = "甲村（东组）１２号，靠河", "说明：腿脚不便！"
    Household.objects.filter(pk=a.household.pk).update(address=address, note="困难户（低保）")
    Resident.objects.filter(pk=a.head.pk).update(note=note)
    Resident.objects.filter(pk=a.child.pk).update(name="甲小朵Ａ")
    for kind in ("residents", "households"):
        report = _import(tmp_path, kind, _export(tmp_path, kind, a.cadre), a.cadre)
        assert (report["errors"], report["created"], report["updated"]) == ([], 0, 0), report
    household = Household.objects.get(pk=a.household.pk)
    assert (household.address, household.note) == (address, "困难户（低保）")
    assert Resident.objects.get(pk=a.head.pk).note == note
    assert Resident.objects.get(pk=a.child.pk).name == "甲小朵Ａ"


def test_past_appeals_from_a_ledger_send_no_new_appeal_notices(
    world, tmp_path, django_capture_on_commit_callbacks
):
    """A ledger of last year's appeals is history: replaying it through the services must not
    tell every handler (and the village's group chat) of a 新诉求待受理 or an unsatisfied rating
    for each row."""
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.core.models import Notification, WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(name="甲村群", url="https://example.invalid/hook", active=True)
    number = world.a.household.number
    rows = [
        ["提出日期", "户编号", "诉求内容", "答复内容", "答复日期", "评分"],
        ["2025-03-04", number, "甲村去年的路灯", "", "", ""],
        ["2025-03-05", number, "甲村去年的水渠", "已疏通", "2025-03-09", "1"],
    ]
    inbox, hooks = Notification.objects.count(), WebhookDelivery.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        report = _import(tmp_path, "appeals", make_sheet(tmp_path / "a.xlsx", rows), world.a.cadre)
    assert (report["errors"], report["created"]) == ([], 2), report
    assert (Notification.objects.count(), WebhookDelivery.objects.count()) == (inbox, hooks)


def _households_sheet_with_central(tmp_path, world, value):
    """The cadre's exported households sheet with the 党员中心户 cell of 甲's household set."""
    from xiangzhi.core.xlsx import HEADER_ROW

    path = _export(tmp_path, "households", world.a.cadre)
    book = load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[HEADER_ROW]]
    column = header.index("党员中心户") + 1
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
        if row[header.index("户编号")].value == world.a.household.number:
            sheet.cell(row=row[0].row, column=column).value = value
    out = tmp_path / f"central-{value}.xlsx"
    book.save(out)
    return out


def test_a_blank_central_household_cell_keeps_the_flag_and_an_unknown_word_is_an_error(
    world, tmp_path
):
    from xiangzhi.people.models import Household

    Household.objects.filter(pk=world.a.household.pk).update(is_central_household=True)
    report = _import(
        tmp_path, "households", _households_sheet_with_central(tmp_path, world, None), world.a.cadre
    )
    assert (report["errors"], report["updated"]) == ([], 0), report
    assert Household.objects.get(pk=world.a.household.pk).is_central_household
    report = _import(
        tmp_path,
        "households",
        _households_sheet_with_central(tmp_path, world, "也许"),
        world.a.cadre,
    )
    assert [e["column"] for e in report["errors"]] == ["党员中心户"], report
    assert Household.objects.get(pk=world.a.household.pk).is_central_household
    report = _import(
        tmp_path, "households", _households_sheet_with_central(tmp_path, world, "×"), world.a.cadre
    )
    assert (report["errors"], report["updated"]) == ([], 1), report
    assert not Household.objects.get(pk=world.a.household.pk).is_central_household


def test_the_command_imports_with_the_users_rights_to_the_kind_too(world, tmp_path):
    """import_xlsx --user imports "with the account's identity and rights": a grid worker may
    not import a points ledger (points that skip review and notice) from the console either."""
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.points.models import PointEntry

    a = world.a
    rows = [
        ["户编号", "日期", "分值", "事由"],
        [a.household.number, "2025-01-02", 5, "甲村网格员记的分"],
    ]
    path = make_sheet(tmp_path / "l.xlsx", rows)
    report = tmp_path / "r.json"
    try:
        call_command(
            "import_xlsx",
            "points_ledger",
            str(path),
            "--user",
            a.worker.username,
            "--report",
            str(report),
            stdout=StringIO(),
        )
    except SystemExit:
        pass
    assert not PointEntry.objects.filter(reason="甲村网格员记的分").exists()
    errors = json.loads(report.read_text())["errors"]
    assert [(e["row"], e["message"]) for e in errors] == [(0, "只有村干部可以导入积分台账")]


def test_a_blank_household_number_names_no_household(world, tmp_path):
    """A household registered without a 户编号 is not what a row with an empty 户编号 cell means."""
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.people.models import Household
    from xiangzhi.points.models import PointEntry

    Household.objects.filter(pk=world.a.other_household.pk).update(number="")
    rows = [["户编号", "日期", "分值", "事由"], ["", "2025-01-02", 5, "甲村没写户编号的分"]]
    report = _import(
        tmp_path, "points_ledger", make_sheet(tmp_path / "l.xlsx", rows), world.a.cadre
    )
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "户编号")], report
    assert not PointEntry.objects.filter(reason="甲村没写户编号的分").exists()


def test_a_past_appeal_dated_only_to_the_month_is_an_error_never_the_first(world, tmp_path):
    """2025.1 typed as a number may be January or October (Excel drops the 0 of 2025.10); an
    appeal is never dated by a guess."""
    from tests.xlsx_helpers import make_sheet
    from xiangzhi.appeals.models import Appeal

    number = world.a.household.number
    rows = [
        ["提出日期", "户编号", "诉求内容", "答复内容", "答复日期"],
        [2025.1, number, "甲村某月的诉求", "", ""],
        ["2025-03-04", number, "甲村某月答复的诉求", "已办", "2025年4月"],
    ]
    report = _import(tmp_path, "appeals", make_sheet(tmp_path / "a.xlsx", rows), world.a.cadre)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "提出日期"), (3, "答复日期")]
    assert not Appeal.objects.filter(text__startswith="甲村某月").exists()
