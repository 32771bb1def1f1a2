"""The points demo: a year of 积分制管理 in the first town, through the services.

The town leader sets the policy and the township's catalogue; the first two villages add their
own rules. Month by month over the last year, the grid worker and the cadres record claims (one
by one and whole clean-up days), the villager applies from the phone, a cadre who did not record
them approves (a few are rejected), and the notice of each ends: the claims of past months are
made final by the same service the worker's task runs, their notice moved into the past as the
months would have done. A few entries are reversed with a reason; this month's claims stay on
notice, two with a villager's objection (one upheld, one dismissed on a second review).

Reads "grid.towns", "grid.village" and "grid.village_cadre", and the demo logins.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from xiangzhi.accounts.models import User
from xiangzhi.core.demo import DemoContext
from xiangzhi.people.models import Household

TOWNSHIP_RULES = (
    # (title, category, points, evidence, cap, period, recorders)
    ("房前屋后清洁", "living_environment", 5, "photo", 10, "month", None),
    (
        "参加卫生大扫除",
        "living_environment",
        3,
        "none",
        None,
        "month",
        ["village_cadre", "grid_worker"],
    ),
    ("义务修路投工投劳", "public_works", 10, "photo_and_note", 30, "quarter", None),
    ("好媳妇好婆婆", "family_virtue", 20, "note", 20, "year", ["village_cadre"]),
    ("红事新办白事简办", "customs_reform", 15, "note", None, "year", ["village_cadre"]),
    ("带头发展特色种养", "enterprise", 20, "note", 20, "year", ["village_cadre"]),
    (
        "乱倒垃圾",
        "living_environment",
        -5,
        "photo",
        None,
        "month",
        ["village_cadre", "grid_worker"],
    ),
)
VILLAGE_RULES = (
    ("护林防火巡查", "custom", 5, "none", 15, "month", "护林防火"),
    ("垃圾分类示范户", "living_environment", 8, "photo", 8, "month", ""),
)


def load(context: DemoContext) -> dict[str, int]:
    """The first town's year of points; counts of rules, claims, entries and objections."""
    from .models import PointClaim, PointEntry, PointObjection, PointRule

    _, town, villages = context.shared["grid.towns"][0]
    chief = User.objects.get(username="demo_shuji")
    with context.timed(f"{town.name} 积分", {}):
        township_rules = _catalogue(chief, town)
        for village in villages[:2]:
            _year(context, town, village, township_rules)
        _objections(context)
    counts = {
        "point_rules": PointRule.objects.count(),
        "point_claims": PointClaim.objects.count(),
        "point_entries": PointEntry.objects.count(),
        "point_objections": PointObjection.objects.count(),
    }
    # The store's demo comes after the year of claims: it redeems the points they earned.
    from . import demo_store

    counts.update(demo_store.load(context))
    return counts


def _catalogue(chief, town) -> list:
    from .services.rules import policy_set, rule_create

    policy_set(
        actor=chief,
        node=town,
        max_points=20,
        max_deduction=10,
        categories=["living_environment", "public_works", "customs_reform", "custom"],
    )
    rules = []
    for n, (title, category, points, evidence, cap, period, recorders) in enumerate(TOWNSHIP_RULES):
        rules.append(
            rule_create(
                actor=chief,
                node=town,
                code=f"Z{n + 1:02d}",
                title=title,
                category=category,
                points=points,
                evidence=evidence,
                cap_points=cap,
                cap_period=period,
                recorders=recorders,
                is_synthetic=True,
            )
        )
    return rules


def _reviewers(village):
    """Who records and who reviews in a village: its own cadres, the town's leader."""
    from xiangzhi.core.roles import CADRE_ROLES

    users = list(
        User.objects.filter(
            role_assignments__node=village, role_assignments__role__in=CADRE_ROLES
        ).order_by("username")
    )
    chief = User.objects.get(username="demo_shuji")
    return (users or [chief]), chief


def _year(context: DemoContext, town, village, township_rules) -> None:
    """Twelve months of claims in a village, each reviewed by someone other than its recorder."""
    from .services.claims import claim_approve, claim_record, claim_record_batch, claim_reject
    from .services.rules import rule_create

    rng, today = context.rng, context.today
    recorders, chief = _reviewers(village)
    recorder = recorders[0]
    reviewer = recorders[1] if len(recorders) > 1 else chief
    own = [
        rule_create(
            actor=recorder,
            node=village,
            code=f"C{n + 1:02d}",
            title=f"{village.name}{title}",
            category=category,
            custom_category=custom,
            points=points,
            evidence=evidence,
            cap_points=cap,
            cap_period=period,
            is_synthetic=True,
        )
        for n, (title, category, points, evidence, cap, period, custom) in enumerate(VILLAGE_RULES)
    ]
    households = list(
        Household.objects.filter(node__path__startswith=village.path, status="active")
        .select_related("node")
        .order_by("id")[:60]
    )
    if len(households) < 5:
        return
    cadre_rules = [r for r in township_rules + own if "village_cadre" in r.recorders]
    for month in range(11, -1, -1):
        first = (today.replace(day=1) - dt.timedelta(days=month * 30)).replace(day=1)
        day = min(first + dt.timedelta(days=rng.randrange(0, 27)), today)
        picked = rng.sample(households, 3)
        batch = claim_record_batch(
            actor=recorder,
            rule=township_rules[1],
            households=picked,
            occurred_on=day,
            note="全村卫生大扫除",
            is_synthetic=True,
        )
        singles = []
        for household in rng.sample(households, 4):
            rule = rng.choice([r for r in cadre_rules if r.points > 0])
            singles.append(
                claim_record(
                    actor=recorder,
                    household=household,
                    rule=rule,
                    occurred_on=day,
                    note=f"{rule.title}，经网格员核实",
                    photos=[_photo()] if "photo" in rule.evidence else [],
                    is_synthetic=True,
                )
            )
        for claim in [*batch, *singles]:
            if rng.random() < 0.08:
                claim_reject(actor=reviewer, claim=claim, reason="经核实与事实不符")
                continue
            try:
                claim_approve(actor=reviewer, claim=claim, note="属实")
            except ValidationError:  # over the rule's cap: the review refuses it
                claim_reject(actor=reviewer, claim=claim, reason="超过本期上限")
        if month > 0:
            _notice_ends(village)
    _reversals(context, village, reviewer)


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    # A valid one-pixel JPEG is not needed: the check reads the magic bytes only.
    return SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(64))


def _notice_ends(village) -> None:
    """The notice of the month's approvals ended long ago: the worker's service makes them final."""
    from .models import PointClaim
    from .services.claims import claims_finalize_due

    PointClaim.objects.filter(
        node__path__startswith=village.path, status=PointClaim.Status.ON_NOTICE
    ).update(notice_until=timezone.now() - dt.timedelta(minutes=1))
    claims_finalize_due()


def _reversals(context: DemoContext, village, reviewer) -> None:
    from .models import PointEntry
    from .services.ledger import entry_reverse

    entries = list(
        PointEntry.objects.filter(node__path__startswith=village.path, source="claim").order_by(
            "id"
        )[:40]
    )
    for entry in context.rng.sample(entries, min(2, len(entries))):
        entry_reverse(actor=reviewer, entry=entry, reason="同一事项重复登记")


def _objections(context: DemoContext) -> None:
    """The demo villager objects to two claims on notice in their village."""
    from xiangzhi.core.registry import households_of

    from .models import PointClaim
    from .services.claims import claim_approve, claim_reject, objection_raise

    villager = User.objects.filter(username="demo_cunmin").first()
    if villager is None:
        return
    own = households_of(villager)
    village = context.shared["grid.village"]
    on_notice = list(
        PointClaim.objects.filter(
            node__path__startswith=village.path, status=PointClaim.Status.ON_NOTICE
        )
        .exclude(household_id__in=own)
        .order_by("id")[:2]
    )
    reasons = ("他家门前还堆着柴草，没有做到清洁", "那天大扫除他家没人参加")
    for claim, reason in zip(on_notice, reasons, strict=False):
        objection_raise(actor=villager, claim=claim, reason=reason)
    recorders, chief = _reviewers(village)
    for i, claim in enumerate(on_notice):
        reviewer = next((u for u in [*recorders, chief] if u.pk != claim.recorded_by_id), chief)
        claim.refresh_from_db()
        if i == 0:
            claim_reject(actor=reviewer, claim=claim, reason="经入户核实，异议成立")
        else:
            claim_approve(actor=reviewer, claim=claim, note="经核实确有参加，异议不成立")
