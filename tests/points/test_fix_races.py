"""`verify_points --fix` (ledger.balances_fix) sets the balances of accounts in several townships
in one transaction, auditing each. It took each account's township head as it came to the
account (in the accounts' id order); a transaction that holds the heads of two townships in key
order (an import of a county-wide sheet: audit_record_many) waited for the second head while the
fix, holding it, waited for the first: PostgreSQL aborted one of them. The fix now takes every
head first, in key order (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tests.factories import UserFactory
from xiangzhi.core.audit import audit_lock, township_key
from xiangzhi.grid.services import node_create
from xiangzhi.people.models import Household
from xiangzhi.points.models import PointAccount
from xiangzhi.points.services.ledger import account_for, balances_differing, balances_fix

from ..pg_locks import at_once, until_another_waits

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has one writer: nothing waits crosswise"
    ),
]


def test_the_fix_takes_its_townships_heads_in_key_order():
    admin = UserFactory(is_superuser=True)
    towns = sorted(
        (node_create(actor=admin, parent=None, name=name) for name in ("东镇", "西镇")),
        key=township_key,
    )
    first, second = (node_create(actor=admin, parent=t, name=f"{t.name}一村") for t in towns)
    # The later township's account has the lower id: in id order the fix came to it first.
    accounts = [
        account_for(household=Household.objects.create(node=village, address="1号"))
        for village in (second, first)
    ]
    PointAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(balance=7)
    differing = balances_differing()
    assert [a.pk for a, _ in differing] == sorted(a.pk for a in accounts)

    holding = threading.Event()

    def both_heads():  # as an import of both townships: the heads in key order, held
        with transaction.atomic():
            audit_lock(first)
            holding.set()
            until_another_waits(10)  # the fix waits for a head this holds
            audit_lock(second)
        return "done"

    def fixing():
        assert holding.wait(10)
        return balances_fix(actor=None, differing=differing)

    results = at_once({"import": both_heads, "fix": fixing})
    assert results == {"import": "done", "fix": 2}
    assert set(PointAccount.objects.values_list("balance", flat=True)) == {0}
