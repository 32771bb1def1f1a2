import datetime as dt
import io
from io import StringIO

from django.core.management import call_command
from openpyxl import load_workbook

from xiangzhi.core.models import AuditEvent, ImportJob
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.services import ResidentData, resident_add
from xiangzhi.people.services.imports import registry_import

from ..factories import make_id
from ..xlsx_helpers import make_sheet


def _rows(content: bytes):
    ws = load_workbook(io.BytesIO(content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _download(client, url, params=None):
    r = client.get(url, params or {})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(r.streaming_content)


def _snapshot():
    return (
        list(
            Resident.objects.order_by("pk").values_list(
                "pk",
                "name",
                "phone_index",
                "id_number_index",
                "relation",
                "household_id",
                "node_id",
                "updated_at",
            )
        ),
        list(
            Household.objects.order_by("pk").values_list(
                "pk", "number", "address", "node_id", "head_id", "updated_at"
            )
        ),
    )


def test_the_resident_export_is_the_list_as_the_user_sees_it(client, world):
    client.force_login(world.a.cadre)
    rows = _rows(_download(client, "/people/residents/export/"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["序号", "系统编号", "姓名"]
    names = {r[2] for r in body}
    assert world.a.marker_name in names and world.b.marker_name not in names
    text = str(rows)
    assert world.a.head.id_number not in text and "13800001111" not in text
    assert world.a.head.id_number[:4] + "**********" in text
    filtered = _rows(_download(client, "/people/residents/export/", {"q": "jdym"}))
    assert [r[2] for r in filtered[1:]] == [world.a.marker_name]
    assert (
        AuditEvent.objects.filter(action="people.resident_export", actor=world.a.cadre).count() == 2
    )


def test_a_worker_exports_only_their_grids(client, world):
    client.force_login(world.a.worker)
    names = {r[2] for r in _rows(_download(client, "/people/residents/export/"))[1:]}
    assert world.a.marker_name in names and world.a.other_head.name not in names


def test_an_exported_residents_sheet_imports_back_unchanged(client, world, tmp_path):
    resident_add(
        actor=world.admin,
        household=world.a.household,
        kind="move_in",
        data=ResidentData(
            name="甲往返",
            id_number=make_id(dt.date(1977, 7, 7), "F"),
            phone="13655556666",
            relation="spouse",
            tags=["disabled"],
            note="测试",
        ),
    )
    client.force_login(world.a.cadre)
    path = tmp_path / "export.xlsx"
    path.write_bytes(_download(client, "/people/residents/export/"))
    before = _snapshot()
    report = registry_import(actor=world.a.cadre, kind="residents", path=path)
    assert report.errors == [] and report.ignored_columns == []
    assert (report.created, report.updated) == (0, 0)
    assert (
        report.unchanged
        == Resident.objects.for_actor(world.a.cadre).filter(status="active").count()
    )
    assert _snapshot() == before


def test_an_exported_households_sheet_imports_back_unchanged(client, world, tmp_path):
    client.force_login(world.a.cadre)
    path = tmp_path / "hh.xlsx"
    path.write_bytes(_download(client, "/people/households/export/"))
    before = _snapshot()
    report = registry_import(actor=world.a.cadre, kind="households", path=path)
    assert report.errors == [] and (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert _snapshot() == before


def test_the_export_command_takes_a_node(world, tmp_path):
    out = tmp_path / "a.xlsx"
    call_command(
        "export_xlsx", "households", "--node", "430521100201", "-o", str(out), stdout=StringIO()
    )
    rows = _rows(out.read_bytes())
    assert {r[7] for r in rows[1:]} == {world.a.marker_address, world.a.other_household.address}


def test_the_upload_page_imports_in_the_background_worker(
    client, world, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    # The worker runs for real, in this process and inside the test's transaction; only its
    # between-task connection recycling is turned off, or it would close the test's connection.
    import django_tasks_db.management.commands.db_worker as db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    grid = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"
    path = make_sheet(
        tmp_path / "上传.xlsx",
        [
            ["姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"],
            ["甲上传", make_id(dt.date(1988, 8, 8), "M"), "户主", "甲村9号", grid],
            ["甲错误", "123", "子", "", ""],
        ],
    )
    client.force_login(world.a.cadre)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
        r = client.post("/sheets/import/", {"kind": "residents", "file": fh})
    assert r.status_code == 302
    job = ImportJob.objects.get(file_name="上传.xlsx")
    stored = job.stored_as
    assert r["Location"] == f"/sheets/import/jobs/{job.pk}/"
    body = client.get(r["Location"]).content.decode()
    assert "排队中" in body and 'http-equiv="refresh"' in body
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == "done" and job.report["created"] == 1
    assert AuditEvent.objects.filter(
        action="people.resident_import", object_repr="上传.xlsx"
    ).exists()
    body = client.get(f"/sheets/import/jobs/{job.pk}/").content.decode()
    assert "第 3 行" in body and "身份证号" in body and 'http-equiv="refresh"' not in body
    assert Resident.objects.filter(name="甲上传").exists()
    from pathlib import Path

    assert not Path(stored).exists() and job.stored_as == ""  # the personal data is not kept


def test_the_upload_page_refuses_other_files(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.a.cadre)
    r = client.post(
        "/sheets/import/", {"kind": "residents", "file": SimpleUploadedFile("a.txt", b"hello")}
    )
    assert r.status_code == 200 and "请上传 Excel 表格" in r.content.decode()
    assert not ImportJob.objects.filter(file_name="a.txt").exists()
    client.force_login(world.a.auditor)
    assert client.get("/sheets/import/").status_code == 403


def _job_with_errors(world, count: int) -> ImportJob:
    errors = [{"row": 0, "column": "", "message": "表头缺少必需的列：姓名。"}] if count == 1 else []
    errors += [
        {"row": i + 2, "column": "所属网格", "message": f"找不到网格“甲村错{i}”"}
        for i in range(count - len(errors))
    ]
    return ImportJob.objects.create(
        created_by=world.a.cadre,
        kind="residents",
        file_name="错误很多.xlsx",
        stored_as="",
        status="done",
        report={"created": 0, "updated": 0, "unchanged": 0, "errors": errors, "rows": count},
    )


def test_a_job_page_lists_the_first_errors_and_offers_them_all_as_a_sheet(client, world):
    from urllib.parse import quote

    from openpyxl import load_workbook

    from xiangzhi.core.sheets.views import ERRORS_SHOWN

    job = _job_with_errors(world, ERRORS_SHOWN + 50)
    client.force_login(world.a.cadre)
    body = client.get(f"/sheets/import/jobs/{job.pk}/").content.decode()
    assert body.count("找不到网格") == ERRORS_SHOWN
    assert f"共 {ERRORS_SHOWN + 50} 条错误" in body and 'id="errors-cut"' in body
    r = client.get(f"/sheets/import/jobs/{job.pk}/errors/")
    assert r.status_code == 200 and quote("导入错误-错误很多") in r["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "问题") and len(rows) == ERRORS_SHOWN + 51
    assert rows[1] == (2, "所属网格", "找不到网格“甲村错0”")


def test_a_short_error_list_is_shown_whole_and_a_file_error_reads_as_such(client, world):
    from openpyxl import load_workbook

    job = _job_with_errors(world, 1)
    client.force_login(world.a.cadre)
    body = client.get(f"/sheets/import/jobs/{job.pk}/").content.decode()
    assert "整个文件" in body and 'id="errors-cut"' not in body
    sheet = load_workbook(
        io.BytesIO(b"".join(client.get(f"/sheets/import/jobs/{job.pk}/errors/").streaming_content))
    ).active
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        ("整个文件", None, "表头缺少必需的列：姓名。")
    ]


def test_another_users_job_errors_are_not_found(client, world):
    job = _job_with_errors(world, 3)
    client.force_login(world.b.cadre)
    assert client.get(f"/sheets/import/jobs/{job.pk}/errors/").status_code == 404
