"""Two transactions that each append to two audit chains must take the chains' heads in one
order (PostgreSQL, two real threads with their own connections):

- a registry import job (core.sheets.runner.import_job_execute) runs in one transaction: each
  batch's audit_record_many locks the township's head, and the summary event at the end
  (engine._audit_summary, no node: `~none`, which sorts after every township) then locks the
  node-less chain's head;
- recording a death of a resident with an account (people.services.registry._leave) filed the
  end of the account (accounts.services.user_leave) without a node, so it locked `~none` first,
  then the township's head for the resident's own event. Run beside the import, each waited for
  the head the other held and PostgreSQL aborted one ("deadlock detected": the import failed as
  a whole, or the cadre's page answered 500). The account's end is now filed under the
  household's node: one chain."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection, connections

from xiangzhi.core.models import ImportJob
from xiangzhi.core.sheets import runner
from xiangzhi.people.models import Resident
from xiangzhi.people.services import resident_record_death

from ..factories import make_id
from ..pg_locks import until_another_waits
from ..xlsx_helpers import make_sheet

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has one writer per database: two transactions never hold locks crosswise",
    ),
]

GRID = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"


def test_an_import_job_and_a_death_recorded_meanwhile_do_not_deadlock(world, tmp_path):
    assert world.a.head.user_id == world.a.villager.pk  # the head's own account ends with him
    sheet = make_sheet(
        tmp_path / "花名册.xlsx",
        [
            ["姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"],
            ["甲新户", make_id(dt.date(1980, 3, 3)), "户主", "甲村88号", GRID],
        ],
    )
    job = ImportJob.objects.create(
        created_by=world.a.cadre,
        kind="residents",
        file_name="花名册.xlsx",
        stored_as=str(sheet),
        status=ImportJob.Status.RUNNING,
    )
    runner._progress_path(job.pk).parent.mkdir(parents=True, exist_ok=True)
    holding = threading.Event()
    results: dict = {}

    def on_progress(rows: int) -> None:
        # After the batch's audit events: the import's transaction holds the township's head.
        holding.set()
        until_another_waits(10)

    def run_import():
        try:
            runner.import_job_execute(job, on_progress=on_progress)
        finally:
            connections.close_all()

    def record_death():
        try:
            assert holding.wait(10)
            resident_record_death(
                actor=world.a.cadre,
                resident=Resident.objects.get(pk=world.a.head.pk),
                occurred_on=dt.date.today(),
                new_head=Resident.objects.get(pk=world.a.child.pk),
            )
            results["death"] = "recorded"
        except OperationalError as exc:
            results["death"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_import), threading.Thread(target=record_death)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    job.refresh_from_db()
    outcome = {"death": results.get("death"), "import": (job.status, job.report.get("errors"))}
    assert results.get("death") == "recorded", outcome
    assert job.status == ImportJob.Status.DONE, outcome
