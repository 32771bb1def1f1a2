"""The worker's tasks (django-tasks; `manage.py db_worker` runs them). They call the runner;
the job services queue them, so the import goes one way: jobs -> tasks -> runner. Each import
runs in a child process (sandbox.py) unless XIANGZHI_IMPORT_SANDBOX is off, and the worker's
housekeeping (housekeeping.py) runs before it."""

import datetime as dt

from django.conf import settings
from django_tasks import task

from xiangzhi.core.models import ImportJob

from .housekeeping import housekeeping_schedule, import_jobs_expire
from .runner import KEEP_CHECKED_FILE, import_files_purge, import_job_run
from .sandbox import import_job_isolated


def _schedule_purge(job: ImportJob) -> None:
    """The worker deletes a kept file when its day is over, whether or not anyone comes back."""
    when = job.finished_at + KEEP_CHECKED_FILE + dt.timedelta(minutes=1)
    purge_import_files.using(run_after=when).enqueue()


@task()
def run_import_job(job_id: int) -> int:
    """Import an uploaded sheet in the background worker."""
    import_housekeeping()
    if settings.XIANGZHI_IMPORT_SANDBOX:
        return import_job_isolated(job_id=job_id, on_kept=_schedule_purge).pk
    return import_job_run(job_id=job_id, on_kept=_schedule_purge).pk


@task()
def purge_import_files() -> int:
    """Delete the files that dry runs kept for 确认导入 once their day is over."""
    return import_files_purge()


@task()
def housekeep_import_jobs() -> int:
    """Fail the stuck import jobs, now and again every XIANGZHI_IMPORT_HOUSEKEEPING_SECONDS."""
    return import_housekeeping()


def import_housekeeping() -> int:
    """Fail the stuck import jobs and make sure the next housekeeping run is queued."""
    failed = import_jobs_expire()
    housekeeping_schedule(housekeep_import_jobs)
    return failed
