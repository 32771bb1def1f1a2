"""确认导入: a dry run keeps its file for a day, and the uploader imports it from the report
page without uploading it again. The background worker runs for real."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from xiangzhi.core.models import AuditEvent, ImportJob
from xiangzhi.core.sheets.jobs import import_job_confirm
from xiangzhi.core.sheets.runner import import_files_purge
from xiangzhi.people.models import Resident

from ..factories import make_id
from ..xlsx_helpers import make_sheet

GRID = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"


@pytest.fixture
def worker(django_capture_on_commit_callbacks, monkeypatch):
    """Run queued tasks now: in this process and inside the test's transaction (the worker's
    between-task connection recycling would close the test's connection)."""
    import django_tasks_db.management.commands.db_worker as db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


def _upload(client, tmp_path, rows, **options):
    path = make_sheet(
        tmp_path / "检查.xlsx", [["姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"], *rows]
    )
    with path.open("rb") as fh:
        r = client.post("/sheets/import/", {"kind": "residents", "file": fh, **options})
    assert r.status_code == 302
    return ImportJob.objects.get(pk=int(r["Location"].rstrip("/").split("/")[-1]))


def test_a_checked_file_is_imported_from_its_report_without_a_new_upload(
    client, world, tmp_path, worker, django_capture_on_commit_callbacks
):
    client.force_login(world.a.cadre)
    rows = [
        ["甲确认", make_id(dt.date(1977, 7, 7)), "户主", "甲村50号", GRID],
        ["甲坏行", "123", "子", "", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        checked = _upload(client, tmp_path, rows, dry_run="on")
    worker()
    checked.refresh_from_db()
    stored = Path(checked.stored_as)
    assert checked.status == "done" and checked.report["created"] == 1 and stored.exists()
    # The worker deletes the file a day later even if nobody comes back.
    purge = DBTaskResult.objects.get(task_path__endswith="purge_import_files")
    assert purge.run_after - checked.finished_at > dt.timedelta(hours=24)
    assert not Resident.objects.filter(name="甲确认").exists()
    page = client.get(f"/sheets/import/jobs/{checked.pk}/").content.decode()
    assert "确认导入" in page and "有错误的行不会导入" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/sheets/import/jobs/{checked.pk}/confirm/")
    real = ImportJob.objects.get(checked_by=checked)
    assert r["Location"] == f"/sheets/import/jobs/{real.pk}/"
    assert not real.dry_run and real.file_name == "检查.xlsx" and real.stored_as == str(stored)
    worker()
    real.refresh_from_db()
    assert real.status == "done" and real.report["created"] == 1 and len(real.report["errors"]) == 1
    assert Resident.objects.filter(name="甲确认").exists()
    assert not stored.exists() and real.stored_as == ""  # deleted once imported
    assert AuditEvent.objects.filter(
        action="core.import_job_confirm", object_id=str(real.pk)
    ).exists()
    page = client.get(f"/sheets/import/jobs/{checked.pk}/").content.decode()
    assert "这个文件已确认导入" in page and 'id="confirm-import"' not in page
    r = client.post(f"/sheets/import/jobs/{checked.pk}/confirm/", follow=True)
    assert "已经确认导入过了" in r.content.decode()
    assert ImportJob.objects.filter(file_name="检查.xlsx").count() == 2  # the check, the import


def test_only_the_uploader_confirms_and_only_a_clean_enough_check(
    client, world, tmp_path, worker, django_capture_on_commit_callbacks
):
    client.force_login(world.a.cadre)
    rows = [
        ["甲全或无", make_id(dt.date(1978, 8, 8)), "户主", "甲村51号", GRID],
        ["甲坏行", "123", "子", "", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        strict = _upload(client, tmp_path, rows, dry_run="on", all_or_nothing="on")
        clean = _upload(client, tmp_path, rows[:1], dry_run="on")
    worker()
    strict.refresh_from_db()
    clean.refresh_from_db()
    # All or nothing with an error writes nothing: there is nothing to confirm, nor a file kept.
    assert (
        strict.stored_as == ""
        and 'id="confirm-import"'
        not in client.get(f"/sheets/import/jobs/{strict.pk}/").content.decode()
    )
    with pytest.raises(ValidationError):
        import_job_confirm(actor=world.a.cadre, job=strict)
    # A user who lost the write role meanwhile does not import.
    from xiangzhi.accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=world.a.cadre).delete()
    with pytest.raises(PermissionDenied):
        import_job_confirm(actor=type(world.a.cadre).objects.get(pk=world.a.cadre.pk), job=clean)
    # Another cadre of the same village does not see the job at all.
    client.force_login(world.a.secretary)
    assert client.post(f"/sheets/import/jobs/{clean.pk}/confirm/").status_code == 404
    assert not ImportJob.objects.filter(checked_by=clean).exists()


def test_a_checked_file_is_deleted_after_a_day(world, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "kept.xlsx"
    path.write_bytes(b"x")
    job = ImportJob.objects.create(
        created_by=world.a.cadre,
        kind="residents",
        file_name="kept.xlsx",
        stored_as=str(path),
        dry_run=True,
        status="done",
        report={"created": 3, "updated": 0, "unchanged": 0, "errors": []},
        finished_at=timezone.now() - dt.timedelta(hours=23),
    )
    assert import_files_purge() == 0 and path.exists()
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        assert import_files_purge() == 1
    assert not path.exists()
    job.refresh_from_db()
    assert job.stored_as == ""
    with pytest.raises(ValidationError, match="24 小时"):
        import_job_confirm(actor=world.a.cadre, job=job)
