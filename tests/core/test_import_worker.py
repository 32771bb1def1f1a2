"""Sheets cannot hurt the worker, and stuck jobs end (issue 10, points 1 and 2), on the real
worker: `manage.py db_worker` runs in another process against the test database, with the
sandbox on, and takes the jobs the test queued. Each crafted workbook ends as one clear Chinese
error, fast, without the worker growing; an import that allocates past the limit, crashes or
never ends fails with a message and the worker takes the next job; housekeeping fails the jobs
of a dead worker and lost tasks; run_worker starts a worker that died again."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from xiangzhi.core.models import ImportJob
from xiangzhi.core.sheets import housekeeping, runner, sandbox
from xiangzhi.core.sheets.jobs import _enqueue
from xiangzhi.people.models import Tag

from .. import sheet_bombs as bombs
from ..factories import UserFactory
from ..xlsx_helpers import make_sheet

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)
# The real db_worker, in batch mode (it exits once the queue is empty); then its own peak RSS in
# MB (VmHWM: ru_maxrss would count the test process it was forked from, before the exec).
WORKER = (
    "import re, sys\n"
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(['manage.py', 'db_worker', '--batch', '--no-startup-delay',"
    " '--no-reload', '--verbosity', '0'])\n"
    "status = open('/proc/self/status').read()\n"
    "print(int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) // 1024, file=sys.stderr)\n"
)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}"


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.core.worker_settings",
        "XIANGZHI_IMPORT_SANDBOX": "1",
        **extra,
    }


def run_worker(**env: str) -> int:
    """Run the real worker until the queue is empty; its peak RSS in MB."""
    done = subprocess.run(
        [sys.executable, "-c", WORKER],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return int(done.stderr.strip().splitlines()[-1])


def queue(user, kind: str, source: Path) -> ImportJob:
    """A job as the upload page makes it: the file kept in the upload folder, the task queued."""
    folder = Path(settings.XIANGZHI_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{source.suffix}"
    shutil.copyfile(source, stored)
    job = ImportJob.objects.create(
        created_by=user, kind=kind, file_name=source.name, stored_as=str(stored)
    )
    _enqueue(job)
    return ImportJob.objects.get(pk=job.pk)


def tags(tmp_path: Path, name: str, *rows: list[str]) -> Path:
    return make_sheet(tmp_path / name, [["代码", "名称"], *rows])


def only_error(job: ImportJob) -> str:
    job.refresh_from_db()
    assert len(job.report["errors"]) == 1 and job.report["errors"][0]["row"] == 0
    assert job.report["created"] == 0 and not job.stored_as
    assert not Path(job.stored_as or "/nonexistent").exists()
    return job.report["errors"][0]["message"]


def seconds(job: ImportJob) -> float:
    return (job.finished_at - job.started_at).total_seconds()


def test_each_crafted_workbook_is_one_clear_error_and_the_worker_stays_small(tmp_path):
    user = UserFactory(is_superuser=True)
    made = {
        "far": bombs.far_cells(tmp_path / "far.xlsx"),
        "sst": bombs.huge_shared_string(tmp_path / "sst.xlsx"),
        "reach": bombs.declared_small_reaching_far(tmp_path / "reach.xlsx"),
        "many": bombs.many_cells(tmp_path / "many.xlsx"),
        "laughs": bombs.billion_laughs(tmp_path / "laughs.xlsx"),
        "lying": bombs.lying_header(tmp_path / "lying.xlsx"),
    }
    jobs = {name: queue(user, "residents", path) for name, path in made.items()}
    after = queue(user, "w_tags", tags(tmp_path, "after.xlsx", ["xz_after", "之后"]))
    peak = run_worker()
    expected = {
        "far": "使用区域太大（1048576 行 × 16384 列）",
        "sst": "文件解压后太大",
        "reach": "使用区域太大（1000000 行 × 9 列）",
        "many": "文件解压后太大",
        "laughs": "DOCTYPE 或实体定义",
        "lying": "文件已损坏",
    }
    for name, job in jobs.items():
        assert expected[name] in only_error(job), name
        assert job.status == "done" and seconds(job) < 15, (name, seconds(job))
    after.refresh_from_db()
    assert after.status == "done" and after.report["created"] == 1
    assert Tag.objects.filter(code="xz_after").exists()  # the child's commit
    assert peak < 300, peak  # the worker itself; the 150 MB string alone took 460 MB


def test_an_import_past_the_memory_limit_or_crashing_fails_and_the_next_one_runs(tmp_path):
    user = UserFactory(is_superuser=True)
    far = bombs.far_cells(tmp_path / "far.xlsx")
    hog = queue(user, "w_hog", tags(tmp_path, "hog.xlsx", ["xz_hog", "吃内存"]))
    crash = queue(user, "w_crash", tags(tmp_path, "crash.xlsx", ["xz_crash", str(far)]))
    after = queue(user, "w_tags", tags(tmp_path, "after.xlsx", ["xz_after", "之后"]))
    run_worker(XIANGZHI_IMPORT_MEMORY_MB="1024")
    hog.refresh_from_db()
    crash.refresh_from_db()
    assert hog.status == "failed" and only_error(hog) == runner.MEMORY_ERROR
    assert crash.status == "failed" and only_error(crash) == sandbox.CRASHED
    # Each wrote a tag before it died, in the transaction that died with it.
    assert not Tag.objects.filter(code__in=["xz_hog", "xz_crash"]).exists()
    after.refresh_from_db()
    assert after.status == "done" and Tag.objects.filter(code="xz_after").exists()
    page = _job_page(user, crash)
    assert "失败" in page and "导入进程意外终止" in page


def test_an_import_past_its_time_is_stopped_and_the_next_one_runs(tmp_path):
    user = UserFactory(is_superuser=True)
    slow = queue(user, "w_sleepy", tags(tmp_path, "slow.xlsx", ["xz_slow", "很慢"]))
    after = queue(user, "w_tags", tags(tmp_path, "after.xlsx", ["xz_after", "之后"]))
    started = time.monotonic()
    # Long enough for a child to start on a loaded two-core machine (CI shares it), far below
    # the sleepy kind's 600 s.
    run_worker(XIANGZHI_IMPORT_TIMEOUT_SECONDS="12")
    assert time.monotonic() - started < 120
    slow.refresh_from_db()
    assert slow.status == "failed" and only_error(slow) == sandbox.timeout_message(12)
    assert not Tag.objects.filter(code="xz_slow").exists()
    after.refresh_from_db()
    assert after.status == "done"


def _dead_pid() -> int:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def _beat(job: ImportJob, *, pid: int, ago: float = 0) -> None:
    import socket

    runner.alive_path(job.pk).write_text(
        json.dumps({"pid": pid, "host": socket.gethostname(), "at": time.time() - ago})
    )


def _running(user, *, started_ago: dt.timedelta) -> ImportJob:
    job = ImportJob.objects.create(
        created_by=user, kind="residents", file_name="x.xlsx", status="running"
    )
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - started_ago)
    return job


def test_the_worker_fails_the_jobs_of_a_dead_worker_and_lost_tasks_before_the_next(tmp_path):
    user = UserFactory(is_superuser=True)
    orphan = _running(user, started_ago=dt.timedelta(minutes=1))
    _beat(orphan, pid=_dead_pid())
    silent = _running(user, started_ago=dt.timedelta(minutes=10))
    _beat(silent, pid=os.getpid(), ago=600)  # alive, but no beat for 10 minutes
    stuck = _running(user, started_ago=dt.timedelta(hours=2))
    _beat(stuck, pid=os.getpid())  # beating, but past the timeout
    lost = ImportJob.objects.create(
        created_by=user, kind="residents", file_name="y.xlsx", task_id=str(uuid.uuid4())
    )
    fine = _running(user, started_ago=dt.timedelta(seconds=5))
    _beat(fine, pid=os.getpid())
    after = queue(user, "w_tags", tags(tmp_path, "after.xlsx", ["xz_after", "之后"]))
    run_worker()
    assert only_error(orphan) == housekeeping.WORKER_GONE
    assert only_error(silent) == housekeeping.WORKER_GONE
    assert only_error(stuck) == housekeeping.STUCK.format(minutes=30)
    assert only_error(lost) == housekeeping.LOST
    for job in (orphan, silent, stuck, lost):
        assert job.status == "failed"
    fine.refresh_from_db()
    assert fine.status == "running"
    after.refresh_from_db()
    assert after.status == "done"
    assert "处理这次导入的后台进程已停止" in _job_page(user, orphan)


def test_housekeeping_queues_one_periodic_run():
    from django_tasks_db.models import DBTaskResult

    from xiangzhi.core.sheets.tasks import housekeep_import_jobs

    assert housekeeping.housekeeping_schedule(housekeep_import_jobs)
    assert not housekeeping.housekeeping_schedule(housekeep_import_jobs)
    queued = DBTaskResult.objects.filter(task_path=housekeep_import_jobs.module_path)
    assert queued.count() == 1 and queued.get().run_after > timezone.now()


def test_run_worker_starts_a_worker_that_died_again(tmp_path):
    user = UserFactory(is_superuser=True)
    supervisor = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--restart-delay", "0.2"],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = _started_pid(supervisor)
        os.kill(first, signal.SIGKILL)
        second = _started_pid(supervisor)
        assert second != first
        job = queue(user, "w_tags", tags(tmp_path, "t.xlsx", ["xz_restarted", "重启后"]))
        deadline = time.monotonic() + 60
        while ImportJob.objects.get(pk=job.pk).status != "done":
            assert time.monotonic() < deadline
            time.sleep(0.5)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        out, _ = supervisor.communicate(timeout=60)
    assert supervisor.returncode == 0, out
    assert "后台任务进程已停止" in out  # the lines before were read by _started_pid


def _started_pid(supervisor: subprocess.Popen) -> int:
    for line in supervisor.stdout:
        assert "意外退出" not in line or "退出码 -9" in line, line
        if "后台任务进程已启动" in line:
            return int(line.rsplit("pid ", 1)[1].rstrip("）)\n"))
    raise AssertionError("run_worker ended")


def _job_page(user, job: ImportJob) -> str:
    from ..conftest import Client

    client = Client()
    client.force_login(user)
    return client.get(f"/sheets/import/jobs/{job.pk}/").content.decode()
