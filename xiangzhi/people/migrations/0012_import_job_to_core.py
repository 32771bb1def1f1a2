"""Import jobs move to core (core.ImportJob, the sheet engine every app uses): every job is copied
with its number (and its link to the job that confirmed it), PostgreSQL's sequence is moved past
them, and people's table goes. Worker tasks still queued under the old task paths (a kept
file's deletion is scheduled a day ahead) are pointed at core's tasks.

Backwards, the jobs move back the same way and core's table is emptied, so that going forward
again copies them once more."""

from django.core.management.color import no_style
from django.db import migrations

COLUMNS = [
    "id",
    "created_by_id",
    "kind",
    "file_name",
    "stored_as",
    "dry_run",
    "all_or_nothing",
    "status",
    "rows_read",
    "report",
    "created_at",
    "finished_at",
    "confirmed_as_id",
]
TASKS = {
    "xiangzhi.people.tasks.run_import_job": "xiangzhi.core.sheets.tasks.run_import_job",
    "xiangzhi.people.tasks.purge_import_files": "xiangzhi.core.sheets.tasks.purge_import_files",
}


def _move(source, target, schema_editor) -> None:
    """Copy every row of `source`'s table into `target`'s in one statement (created_at is kept:
    a model-level copy would stamp it anew), then reset the target's sequence."""
    quote = schema_editor.quote_name
    columns = ", ".join(quote(c) for c in COLUMNS)
    schema_editor.execute(
        f"INSERT INTO {quote(target._meta.db_table)} ({columns}) "
        f"SELECT {columns} FROM {quote(source._meta.db_table)}"
    )
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [target]):
        schema_editor.execute(sql)


def _retarget_tasks(apps, paths: dict[str, str]) -> None:
    try:
        result = apps.get_model("django_tasks_database", "DBTaskResult")
    except LookupError:  # a new database: the task tables come later, with no tasks in them
        return
    for old, new in paths.items():
        result.objects.filter(task_path=old, status="READY").update(task_path=new)


def jobs_to_core(apps, schema_editor):
    _move(apps.get_model("people", "ImportJob"), apps.get_model("core", "ImportJob"), schema_editor)
    _retarget_tasks(apps, TASKS)


def jobs_to_people(apps, schema_editor):
    core_job = apps.get_model("core", "ImportJob")
    _move(core_job, apps.get_model("people", "ImportJob"), schema_editor)
    core_job.objects.update(confirmed_as=None)
    core_job.objects.all().delete()
    _retarget_tasks(apps, {new: old for old, new in TASKS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0011_household_change_import"),
        ("core", "0003_importjob"),
    ]

    operations = [
        migrations.RunPython(jobs_to_core, jobs_to_people),
        migrations.DeleteModel(name="ImportJob"),
    ]
