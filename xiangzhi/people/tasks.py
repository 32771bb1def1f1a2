from django_tasks import task


@task()
def run_import_job(job_id: int) -> int:
    """Import an uploaded sheet in the background worker."""
    from .services.jobs import import_job_run

    return import_job_run(job_id).pk


@task()
def purge_import_files() -> int:
    """Delete the files that dry runs kept for 确认导入 once their day is over."""
    from .services.jobs import import_files_purge

    return import_files_purge()
