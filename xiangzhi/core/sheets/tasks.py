"""The worker's tasks (django-tasks; `manage.py db_worker` runs them). They call the runner;
the job services queue them, so the import goes one way: jobs -> tasks -> runner."""

import datetime as dt

from django_tasks import task

from xiangzhi.core.models import ImportJob

from .runner import KEEP_CHECKED_FILE, import_files_purge, import_job_run


def _schedule_purge(job: ImportJob) -> None:
    """The worker deletes a kept file when its day is over, whether or not anyone comes back."""
    when = job.finished_at + KEEP_CHECKED_FILE + dt.timedelta(minutes=1)
    purge_import_files.using(run_after=when).enqueue()


@task()
def run_import_job(job_id: int) -> int:
    """Import an uploaded sheet in the background worker."""
    return import_job_run(job_id=job_id, on_kept=_schedule_purge).pk


@task()
def purge_import_files() -> int:
    """Delete the files that dry runs kept for 确认导入 once their day is over."""
    return import_files_purge()
