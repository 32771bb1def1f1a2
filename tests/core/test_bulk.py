"""insert_rows and update_column: the bulk writes of imports, on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from xiangzhi.core.bulk import insert_rows, update_column
from xiangzhi.core.models import AuditEvent
from xiangzhi.people.models import HouseholdChange, Tag
from xiangzhi.people.services.imports import HISTORY_COLUMNS


def test_values_of_every_kind_come_back_as_written_with_keys_in_row_order(world):
    when = timezone.now().replace(microsecond=123456)
    texts = ["制表\t符", "换\n行", "反斜杠\\N", "引号'\"", "😀 表情"]
    keys = insert_rows(
        HouseholdChange,
        HISTORY_COLUMNS,
        [
            (world.a.household.pk, "move_in", dt.date(2020, 1, i + 1), None, text, None, when)
            for i, text in enumerate(texts)
        ],
        returning=True,
    )
    rows = {c.pk: c for c in HouseholdChange.objects.filter(pk__in=keys)}
    assert [rows[k].note for k in keys] == texts
    assert [rows[k].occurred_on.day for k in keys] == [1, 2, 3, 4, 5]
    assert all(rows[k].created_at == when and rows[k].resident_id is None for k in keys)


def test_json_goes_in_as_json(world):
    columns = ("seq", "created_at", "action", "changes", "prev_hash", "hash", "actor_label")
    columns += ("object_type", "object_id", "object_repr", "ip", "chain_id")
    changes = {"名字": ["甲", 1, None, True]}
    row = (10_000, timezone.now(), "test.bulk", changes, "0", "0", "", "", "", "", "", 1)
    insert_rows(AuditEvent, columns, [row])
    assert AuditEvent.objects.get(seq=10_000).changes == changes


def test_a_duplicate_is_a_django_integrity_error_and_writes_nothing(world):
    before = Tag.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Tag, ("code", "name"), [("dup_code", "甲"), ("dup_code", "乙")])
    assert Tag.objects.count() == before


def test_update_column_sets_each_row_its_own_value(world):
    a, b = world.a.household, world.b.household
    update_column(type(a), "number", [("A-1", a.pk), ("B-2", b.pk)])
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.number, b.number) == ("A-1", "B-2")
