"""The sheet machinery serves any registered kind: a kind declared here, with two columns and a
row writer, gets the upload page, the dry run, 确认导入, the export page and the commands
without a line of engine code. Import jobs moved from people to core with their rows."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command, load_command_class
from django.db import connection
from openpyxl import load_workbook

from xiangzhi.core import xlsx
from xiangzhi.core.actions import CoreAction
from xiangzhi.core.audit import audit_record
from xiangzhi.core.models import AuditEvent, ImportJob
from xiangzhi.core.registry import (
    ACTIONS,
    SHEET_KINDS,
    AuditAction,
    register_actions,
    register_sheet_kind,
)
from xiangzhi.core.sheets import ExportSide, ImportSide, SheetKind, sheet_import
from xiangzhi.core.xlsx import HEADER_ROW
from xiangzhi.people.models import Tag

from ..factories import UserFactory
from ..xlsx_helpers import ledger_rows, make_sheet


class TagSheetAction(AuditAction):
    TAG_IMPORT = "people.tag_import", "导入标签表", "tests.core.test_sheets.tag_write"
    TAG_EXPORT = "people.tag_export", "导出标签表", "xiangzhi.core.sheets.export.sheet_export"


def _code(value) -> str:
    text = xlsx.compact(value)
    if text.startswith("#"):
        raise xlsx.CellError(f"代码“{text}”不能以 # 开头")
    return text


def tag_write(*, actor, values: dict) -> str:
    """The kind's row writer: create or rename a tag, as a service would (audited)."""
    code, name = values.get("code", ""), values.get("name", "")
    if not re.fullmatch(r"[a-z_]+", code):
        raise ValidationError({"code": f"代码“{code}”只能用小写字母和下划线"})
    tag = Tag.objects.filter(code=code).first()
    if tag is not None and tag.name == name:
        return "unchanged"
    created = tag is None
    tag = tag or Tag(code=code)
    tag.name = name
    tag.save()
    action = CoreAction.CONFIG_CREATE if created else CoreAction.CONFIG_UPDATE
    audit_record(actor=actor, action=action, obj=tag, changes={"name": name})
    if name == "半途而废":  # written, then refused: the row's savepoint takes the write back
        raise ValidationError("这一行写到一半出错了")
    return "created" if created else "updated"


@pytest.fixture
def tag_kind():
    """A kind that no app declares: tags, one a row, through tag_write."""
    register_actions(TagSheetAction)
    kind = SheetKind(
        key="tags",
        label="标签表",
        columns=(xlsx.Column("code", "代码", ("标签代码",)), xlsx.Column("name", "名称")),
        imports=ImportSide(
            action=TagSheetAction.TAG_IMPORT,
            required=("code", "name"),
            write_row=tag_write,
            readers={"code": _code},
            hint="每行一个",
        ),
        exports=ExportSide(
            action=TagSheetAction.TAG_EXPORT,
            records=lambda *, actor, node=None: Tag.objects.filter(code__startswith="xz_"),
        ),
    )
    register_sheet_kind(kind)
    yield kind
    del SHEET_KINDS[kind.key]
    for action in TagSheetAction:
        del ACTIONS[action.value]


@pytest.fixture
def worker(django_capture_on_commit_callbacks, monkeypatch):
    """Run queued tasks now, in this process and inside the test's transaction."""
    import django_tasks_db.management.commands.db_worker as db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


def _sheet(tmp_path, rows, name="标签.xlsx"):
    return make_sheet(tmp_path / name, [["代码", "名称"], *rows])


def test_a_declared_kind_is_uploaded_checked_and_confirmed_through_the_core_pages(
    client, world, tmp_path, tag_kind, worker, django_capture_on_commit_callbacks
):
    client.force_login(world.a.cadre)
    page = client.get("/sheets/import/").content.decode()
    assert "标签表（每行一个）" in page and "居民花名册（每人一行）" in page
    assert "<h1>导入表格</h1>" in page  # kinds of several apps: no one noun
    assert "/sheets/import/template/tags/" in page
    rows = [["xz_apple", "苹果户"], ["BAD", "坏代码"], ["#x", "读不了"], ["xz_half", "半途而废"]]
    path = _sheet(tmp_path, rows)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
        r = client.post("/sheets/import/", {"kind": "tags", "file": fh, "dry_run": "on"})
    checked = ImportJob.objects.get(pk=int(r["Location"].rstrip("/").split("/")[-1]))
    worker()
    checked.refresh_from_db()
    assert checked.status == "done" and checked.report["created"] == 1
    assert [(e["row"], e["column"]) for e in checked.report["errors"]] == [
        (3, "代码"),
        (4, "代码"),
        (5, ""),
    ]
    assert "不能以 # 开头" in checked.report["errors"][1]["message"]
    assert not Tag.objects.filter(code__startswith="xz_").exists()  # a dry run writes nothing
    page = client.get(f"/sheets/import/jobs/{checked.pk}/").content.decode()
    assert "标签表（每行一个）" in page and "第 3 行" in page and 'id="confirm-import"' in page
    assert "返回导入标签表" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/sheets/import/jobs/{checked.pk}/confirm/")
    real = ImportJob.objects.get(checked_by=checked)
    assert r["Location"] == f"/sheets/import/jobs/{real.pk}/"
    worker()
    real.refresh_from_db()
    assert real.status == "done" and real.report["created"] == 1
    assert list(Tag.objects.filter(code__startswith="xz_").values_list("code", flat=True)) == [
        "xz_apple"
    ]
    assert AuditEvent.objects.filter(
        action="people.tag_import", object_type="people.import", object_repr="标签.xlsx"
    ).exists()
    # The half-written row was taken back with its audit event.
    assert not AuditEvent.objects.filter(object_repr="半途而废").exists()


def test_the_commands_import_and_export_a_declared_kind(world, tmp_path, tag_kind):
    path = _sheet(tmp_path, [["xz_pear", "梨"], ["BAD", "坏"]])
    report_file = tmp_path / "r.json"
    out = StringIO()
    call_command(
        "import_xlsx", "tags", str(path), "--dry-run", "--report", str(report_file), stdout=out
    )
    assert "（试运行，未写入）新增 1" in out.getvalue()
    report = json.loads(report_file.read_text())
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 0, 0)
    assert report["errors"] == [
        {"row": 3, "column": "代码", "message": "代码“BAD”只能用小写字母和下划线"}
    ]
    assert not Tag.objects.filter(code="xz_pear").exists()
    with pytest.raises(SystemExit):
        call_command("import_xlsx", "tags", str(path), "--all-or-nothing", stdout=StringIO())
    assert not Tag.objects.filter(code="xz_pear").exists()
    call_command("import_xlsx", "tags", str(path), stdout=StringIO())
    assert Tag.objects.get(code="xz_pear").name == "梨"
    again = sheet_import(actor=world.admin, kind="tags", path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    target = tmp_path / "out.xlsx"
    call_command("export_xlsx", "tags", "-o", str(target), stdout=StringIO())
    rows = list(load_workbook(target).active.iter_rows(min_row=HEADER_ROW, values_only=True))
    assert rows == [("代码", "名称"), ("xz_pear", "梨")]
    assert AuditEvent.objects.filter(action="people.tag_export", object_repr="标签表").exists()


def test_the_export_and_template_pages_serve_a_declared_kind(client, world, tag_kind):
    Tag.objects.create(code="xz_plum", name="李")
    client.force_login(world.a.cadre)
    r = client.get("/sheets/export/tags/")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    rows = ledger_rows(r)
    assert rows == [("代码", "名称"), ("xz_plum", "李")]
    assert client.get("/sheets/export/tags/", {"node": world.b.node.pk}).status_code == 404
    r = client.get("/sheets/import/template/tags/")
    header = ledger_rows(r)[0]
    assert header == ("代码", "名称")
    assert client.get("/sheets/import/template/nonsense/").status_code == 404
    client.force_login(world.a.auditor)  # reads, never writes: no import
    assert client.get("/sheets/import/template/tags/").status_code == 403


def test_the_commands_offer_the_kinds_the_apps_registered(tag_kind):
    def choices(name: str) -> set[str]:
        parser = load_command_class("xiangzhi.core", name).create_parser("manage.py", name)
        return set(next(a for a in parser._actions if a.dest == "kind").choices)

    # notices: the test suite's throwaway app (tests/contract_app) registers its kind too.
    assert choices("import_xlsx") == {
        *("residents", "households", "tags", "notices"),
        *("contact_links", "points_ledger", "appeals"),  # party's, points' and appeals' imports
    }
    exports = choices("export_xlsx")
    assert {"residents", "households", "changes", "tags", "notices", "party_members"} <= exports
    assert exports == {key for key, kind in SHEET_KINDS.items() if kind.exports is not None}
    SHEET_KINDS.pop("tags")
    try:
        assert "tags" not in choices("import_xlsx")
    finally:
        SHEET_KINDS["tags"] = tag_kind


def test_a_kind_must_say_how_it_writes_and_a_key_is_registered_once(tag_kind):
    with pytest.raises(ValueError, match="write_row"):
        ImportSide(action=TagSheetAction.TAG_IMPORT)
    with pytest.raises(ValueError, match="registered twice"):
        register_sheet_kind(SheetKind(key="tags", label="别的", columns=()))


def test_an_import_job_shows_its_kind_from_the_registry(world):
    job = ImportJob.objects.filter(created_by=world.a.cadre).first()
    assert job.kind_label == "居民花名册（每人一行）"
    job.kind = "nonsense"
    assert job.kind_label == "nonsense"
    with pytest.raises(ValidationError) as refused:
        job.full_clean()
    assert refused.value.message_dict == {"kind": ["请选择表格类型"]}


PEOPLE_BEFORE = ("people", "0011_household_change_import")
CORE_BEFORE = ("core", "0002_audit_indexes_in_use")


@pytest.mark.django_db(transaction=True)
def test_the_people_migration_moves_import_jobs_to_core():
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    user = UserFactory(username="uploader")
    executor = MigrationExecutor(connection)
    executor.migrate([PEOPLE_BEFORE, CORE_BEFORE])
    old = executor.loader.project_state([PEOPLE_BEFORE, CORE_BEFORE]).apps
    OldJob = old.get_model("people", "ImportJob")
    when = timezone.now() - dt.timedelta(days=3)
    report = {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    checked = OldJob.objects.create(
        created_by_id=user.pk,
        kind="residents",
        file_name="检查.xlsx",
        dry_run=True,
        status="done",
        report=report,
        finished_at=when,
    )
    real = OldJob.objects.create(
        created_by_id=user.pk, kind="households", file_name="检查.xlsx", stored_as="/x.xlsx"
    )
    OldJob.objects.filter(pk=checked.pk).update(confirmed_as=real, created_at=when)
    queued = DBTaskResult.objects.create(
        task_path="xiangzhi.people.tasks.purge_import_files",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        run_after=timezone.now() + dt.timedelta(hours=20),
        exception_class_path="",
        traceback="",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    jobs = {j.pk: j for j in ImportJob.objects.all()}
    assert set(jobs) == {checked.pk, real.pk}
    moved = jobs[checked.pk]
    assert (moved.created_by_id, moved.kind, moved.file_name, moved.dry_run) == (
        user.pk,
        "residents",
        "检查.xlsx",
        True,
    )
    assert moved.created_at == when and moved.finished_at == when and moved.report == report
    assert moved.confirmed_as_id == real.pk and jobs[real.pk].stored_as == "/x.xlsx"
    assert "people_importjob" not in connection.introspection.table_names()
    # The sequence was moved past the copied jobs (PostgreSQL; SQLite takes the highest key).
    new = ImportJob.objects.create(created_by=user, kind="residents", file_name="新.xlsx")
    assert new.pk > max(jobs)
    queued.refresh_from_db()
    assert queued.task_path == "xiangzhi.core.sheets.tasks.purge_import_files"

    # Backwards, the jobs go back to people (and forwards again, once more to core).
    executor = MigrationExecutor(connection)
    executor.migrate([PEOPLE_BEFORE])
    back = executor.loader.project_state([PEOPLE_BEFORE]).apps.get_model("people", "ImportJob")
    assert back.objects.get(pk=checked.pk).confirmed_as_id == real.pk
    assert back.objects.count() == 3 and not ImportJob.objects.exists()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert ImportJob.objects.count() == 3
