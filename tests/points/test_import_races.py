"""An import (one transaction, which holds its townships' audit heads from its first batch to
its commit) and a decision on a claim of a household it writes, at once (PostgreSQL, real
threads): the decision takes the head before the accounts, as the import does, so neither
waits for the other crosswise (PostgreSQL aborted one of them, the whole import as often as
not)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from xiangzhi.core.sheets import sheet_import
from xiangzhi.core.sheets.engine import SheetImport
from xiangzhi.people.services.imports import registry_import
from xiangzhi.points.services.claims import claim_approve, claim_record
from xiangzhi.points.services.ledger import account_for

from ..factories import make_id
from ..pg_locks import until_another_waits
from ..xlsx_helpers import make_sheet
from .helpers import village_rule

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has one writer: nothing waits crosswise"
    ),
]

GRID = "甲村/甲村第一党支部/甲村枫树屋场党小组/"


def _import_while_approving(run_import, claim, actor) -> dict:
    """Run the import one row a batch; after its first batch, approve the claim in another
    thread and let the import go on once the approval waits for a lock."""
    holding = threading.Event()
    results: dict = {}
    batches = []

    def progress(rows):
        batches.append(rows)
        if len(batches) == 1:
            holding.set()
            until_another_waits(10)

    def importing():
        try:
            results["import"] = run_import(progress)
        except Exception as exc:  # noqa: BLE001 - the test names what failed
            results["import"] = exc
        finally:
            connections.close_all()

    def approving():
        try:
            assert holding.wait(10)
            results["approve"] = claim_approve(actor=actor, claim=claim)
        except Exception as exc:  # noqa: BLE001
            results["approve"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=importing), threading.Thread(target=approving)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_a_ledger_import_and_the_approval_of_a_persons_claim(world, tmp_path, monkeypatch):
    a = world.a
    monkeypatch.setitem(SheetImport.__init__.__kwdefaults__, "batch_rows", 1)
    account_for(household=a.household)
    account_for(household=a.household, resident=a.child)
    claim = claim_record(
        actor=a.worker,
        household=a.household,
        resident=a.child,
        rule=village_rule(world, points=3),
        occurred_on=timezone.localdate(),
    )
    sheet = make_sheet(
        tmp_path / "ledger.xlsx",
        [
            ["户编号", "日期", "规则", "分值", "事由"],
            [a.other_household.number, dt.date(2025, 3, 1), "人居环境整治", 10, "甲村大扫除"],
            [a.household.number, dt.date(2025, 3, 1), "人居环境整治", 10, "甲村大扫除"],
        ],
    )
    results = _import_while_approving(
        lambda progress: sheet_import(
            actor=a.cadre, kind="points_ledger", path=sheet, progress=progress
        ),
        claim,
        a.cadre,
    )
    assert not isinstance(results["approve"], Exception), results
    report = results["import"]
    assert not isinstance(report, Exception) and report.created == 2, results


def test_a_registry_import_moving_a_household_and_the_approval_of_its_claim(
    world, tmp_path, monkeypatch
):
    """The move takes the household's points accounts along (core's households_moved)."""
    a = world.a
    monkeypatch.setitem(SheetImport.__init__.__kwdefaults__, "batch_rows", 1)
    account_for(household=a.household)
    claim = claim_record(
        actor=a.worker,
        household=a.household,
        rule=village_rule(world, points=6),
        occurred_on=timezone.localdate(),
    )
    sheet = make_sheet(
        tmp_path / "households.xlsx",
        [
            ["户编号", "户主姓名", "户主身份证号", "家庭住址", "所属网格"],
            ["", "甲新户", make_id(dt.date(1980, 3, 3)), "甲村88号", GRID + a.grid.name],
            [
                a.household.number,
                a.head.name,
                a.head.id_number,
                a.household.address,
                GRID + a.sibling_grid.name,
            ],
        ],
    )
    results = _import_while_approving(
        lambda progress: registry_import(
            actor=a.cadre, kind="households", path=sheet, progress=progress
        ),
        claim,
        a.cadre,
    )
    assert not isinstance(results["approve"], Exception), results
    report = results["import"]
    assert not isinstance(report, Exception) and not report.errors, results
