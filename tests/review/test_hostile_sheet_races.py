"""Two imports of the same ledger at once (two workers, or import_xlsx beside a job), on
PostgreSQL in real threads: each row is posted once, never by both."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from tests.pg_locks import until_another_waits
from tests.xlsx_helpers import make_sheet
from xiangzhi.core.sheets import sheet_import
from xiangzhi.points.models import PointEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has one writer: nothing runs at once"
    ),
]


def test_the_same_ledger_imported_twice_at_once_posts_each_row_once(world, tmp_path):
    a = world.a
    sheet = make_sheet(
        tmp_path / "ledger.xlsx",
        [
            ["户编号", "日期", "分值", "事由"],
            [a.household.number, dt.date(2025, 3, 1), 10, "甲村同时导入的大扫除"],
        ],
    )
    holding = threading.Event()
    results: dict = {}

    def first():
        def progress(rows):
            holding.set()  # its batch is written, the township's audit head is held
            until_another_waits(10)

        try:
            results["first"] = sheet_import(
                actor=a.cadre, kind="points_ledger", path=sheet, progress=progress
            )
        except Exception as exc:  # noqa: BLE001 - the test names what failed
            results["first"] = exc
        finally:
            connections.close_all()

    def second():
        try:
            assert holding.wait(10)
            results["second"] = sheet_import(actor=a.cadre, kind="points_ledger", path=sheet)
        except Exception as exc:  # noqa: BLE001
            results["second"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    counts = [(r.created, r.unchanged, r.errors) for r in results.values()]
    assert sorted(counts) == [(0, 1, []), (1, 0, [])], results
    assert PointEntry.objects.filter(reason="甲村同时导入的大扫除").count() == 1
