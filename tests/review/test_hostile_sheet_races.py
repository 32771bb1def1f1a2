"""Two imports of the same ledger at once (two workers, or import_xlsx beside a job), on
PostgreSQL in real threads: each row is posted once, never by both."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from tests.pg_locks import at_once, until_another_waits
from tests.xlsx_helpers import make_sheet
from xiangzhi.appeals.models import Appeal
from xiangzhi.core.sheets import sheet_import
from xiangzhi.points.models import PointEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has one writer: nothing runs at once"
    ),
]


def _twice_at_once(actor, kind: str, sheet) -> dict:
    """Import the sheet in two threads, the second starting once the first has written its
    batch (and holds the township's audit head) and the first committing once the second
    waits for a lock; the two reports."""
    holding = threading.Event()

    def first():
        def progress(rows):
            holding.set()  # its batch is written, the township's audit head is held
            until_another_waits(10)

        return sheet_import(actor=actor, kind=kind, path=sheet, progress=progress)

    def second():
        assert holding.wait(10)
        return sheet_import(actor=actor, kind=kind, path=sheet)

    results = at_once({"first": first, "second": second})
    return results


def _once(results: dict) -> None:
    counts = [getattr(r, "created", r) for r in results.values()]
    assert sorted(counts) == [0, 1], results
    assert [r.errors for r in results.values()] == [[], []], results


def test_the_same_ledger_imported_twice_at_once_posts_each_row_once(world, tmp_path):
    a = world.a
    sheet = make_sheet(
        tmp_path / "ledger.xlsx",
        [
            ["户编号", "日期", "分值", "事由"],
            [a.household.number, dt.date(2025, 3, 1), 10, "甲村同时导入的大扫除"],
        ],
    )
    _once(_twice_at_once(a.cadre, "points_ledger", sheet))
    assert PointEntry.objects.filter(reason="甲村同时导入的大扫除").count() == 1


def test_the_same_appeals_ledger_imported_twice_at_once_registers_each_appeal_once(world, tmp_path):
    a = world.a
    sheet = make_sheet(
        tmp_path / "appeals.xlsx",
        [
            ["提出日期", "户编号", "诉求内容"],
            ["2025-03-04", a.household.number, "甲村同时导入的诉求"],
        ],
    )
    _once(_twice_at_once(a.cadre, "appeals", sheet))
    assert Appeal.objects.filter(text="甲村同时导入的诉求").count() == 1
