"""Two decisions on one household's claims at once (PostgreSQL, real threads, each with its own
connection): the per-household cap holds for a household's claim and one of its people's under
the same capped rule, and a rejection meeting the end of the notice does not deadlock."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from xiangzhi.points.models import PointClaim
from xiangzhi.points.services import claims as claims_service
from xiangzhi.points.services.claims import claim_approve, claim_record

from .helpers import village_rule

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has one writer: two approvals never overlap",
    ),
]

S = PointClaim.Status


def _two_claims(world, rule):
    """A claim for the household and one for its child, each within the cap alone."""
    today = timezone.localdate()
    home = claim_record(
        actor=world.a.worker, household=world.a.household, rule=rule, occurred_on=today
    )
    child = claim_record(
        actor=world.a.worker,
        household=world.a.household,
        resident=world.a.child,
        rule=rule,
        occurred_on=today,
    )
    return home, child


def _approve_both(world, claims) -> dict:
    results: dict = {}
    start = threading.Barrier(len(claims))

    def approve(claim):
        try:
            start.wait(10)
            claim_approve(actor=world.a.cadre, claim=claim)
            results[claim.pk] = "approved"
        except ValidationError as exc:
            results[claim.pk] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(c,)) for c in claims]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _approved_points(world, rule) -> int:
    return (
        PointClaim.objects.filter(
            household=world.a.household,
            rule_version__rule=rule,
            status__in=[S.ON_NOTICE, S.FINAL],
        ).aggregate(n=Sum("points"))["n"]
        or 0
    )


def test_two_simultaneous_approvals_of_one_household_never_pass_its_cap(world, monkeypatch):
    """Deterministic: each approval, once it has counted the cap, waits (at most 3 s) for the
    other to have counted too. Were both approvals ordered by one lock, the second could not
    count before the first commits: the wait times out and the second sees the first's points."""
    rule = village_rule(world, points=6, cap_points=10, cap_period="month")
    claims = _two_claims(world, rule)
    counted = threading.Barrier(2)
    check_cap = claims_service._check_cap

    def check_then_wait(claim):
        check_cap(claim)
        try:
            counted.wait(3)
        except threading.BrokenBarrierError:
            pass  # the other approval waits for this one's lock: it will count after commit

    monkeypatch.setattr(claims_service, "_check_cap", check_then_wait)
    results = _approve_both(world, claims)
    assert len(results) == 2
    assert _approved_points(world, rule) <= 10, results
    assert sorted(type(r).__name__ for r in results.values()) == ["ValidationError", "str"]


def test_the_cap_holds_for_claims_made_before_and_after_a_revision_and_a_move(world, monkeypatch):
    """As it stands the two approvals above are ordered only by accident: _lock_for_review's
    select_for_update() with select_related("rule_version", "node") also locks the claim's rule
    version and grid node rows, which two claims of one household usually share. They do not
    once the rule was revised (a new version) and the household moved to another grid (a
    registry import's move) between the two claims: then nothing orders the approvals."""
    from xiangzhi.people.models import Household, Resident
    from xiangzhi.points.services.rules import rule_revise

    rule = village_rule(world, points=6, cap_points=10, cap_period="month")
    today = timezone.localdate()
    home = claim_record(
        actor=world.a.worker, household=world.a.household, rule=rule, occurred_on=today
    )
    rule = rule_revise(actor=world.a.secretary, rule=rule, title="甲村门前三包（修订）")
    # What a registry import's move does (people/services/imports/write.py _household_updates).
    Household.objects.filter(pk=world.a.household.pk).update(node=world.a.sibling_grid)
    Resident.objects.filter(household=world.a.household).update(node=world.a.sibling_grid)
    household = Household.objects.select_related("node").get(pk=world.a.household.pk)
    child = claim_record(
        actor=world.a.sibling_worker,
        household=household,
        resident=Resident.objects.get(pk=world.a.child.pk),
        rule=rule,
        occurred_on=today,
    )
    assert home.rule_version_id != child.rule_version_id and home.node_id != child.node_id
    counted = threading.Barrier(2)
    check_cap = claims_service._check_cap

    def check_then_wait(claim):
        check_cap(claim)
        try:
            counted.wait(3)
        except threading.BrokenBarrierError:
            pass

    monkeypatch.setattr(claims_service, "_check_cap", check_then_wait)
    results = _approve_both(world, [home, child])
    assert len(results) == 2
    assert _approved_points(world, rule) <= 10, results


def test_a_rejection_at_the_end_of_the_notice_does_not_deadlock_with_finalisation(
    world, monkeypatch
):
    """The rejection locked the account, then the claim; finalisation the claim, then the
    account (its entry): each waited for the other until PostgreSQL aborted one of them."""
    import datetime as dt
    import time

    from xiangzhi.points.services.claims import claim_finalize, claim_reject

    rule = village_rule(world, points=6)
    claim = claim_record(
        actor=world.a.worker,
        household=world.a.household,
        rule=rule,
        occurred_on=timezone.localdate(),
    )
    claim_approve(actor=world.a.cadre, claim=claim)
    PointClaim.objects.filter(pk=claim.pk).update(
        notice_until=timezone.now() - dt.timedelta(minutes=1)
    )
    claim = PointClaim.objects.get(pk=claim.pk)
    held, go = threading.Event(), threading.Event()
    lock_accounts = claims_service._lock_accounts

    def lock_then_wait(c):
        lock_accounts(c)
        if threading.current_thread().name == "reject":
            held.set()
            go.wait(10)

    monkeypatch.setattr(claims_service, "_lock_accounts", lock_then_wait)
    results: dict = {}

    def run(name, call):
        try:
            if name == "finalize":
                held.wait(10)
            results[name] = call()
        except Exception as exc:  # noqa: BLE001 - the test names what failed
            results[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=run,
            name="reject",
            args=(
                "reject",
                lambda: claim_reject(actor=world.a.cadre, claim=claim, reason="不符合"),
            ),
        ),
        threading.Thread(
            target=run,
            name="finalize",
            args=("finalize", lambda: claim_finalize(actor=None, claim=claim)),
        ),
    ]
    for t in threads:
        t.start()
    held.wait(10)
    time.sleep(0.5)  # the finalisation is waiting for a lock by now
    go.set()
    for t in threads:
        t.join(30)
    assert isinstance(results["reject"], PointClaim), results
    assert results["finalize"] is None, results
    assert PointClaim.objects.get(pk=claim.pk).status == S.REJECTED
