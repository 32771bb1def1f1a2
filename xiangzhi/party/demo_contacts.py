"""The demo's contact work: every household of a village linked to a member of its hamlet group
(or of the village), and a year of visits, most households visited every one to three months,
some left overdue; a few visits raise needs (later closed or handed on) or note a follow-up, and
the visits after a household change (people's demo records births, deaths and moves through the
registry, whose hook flags a follow-up) close it, while the ones with no visit since stay overdue.

The demo township (`seed_demo --scale town`, what `make demo` loads) goes through the services:
each link is `contact_link_add`; each member's 走访日 (a round of their households) is
`visits_record_day`, as a cadre enters the member's 走访记录本 within days of the round; each need
raised over two months ago is `need_close` or `need_take`; so every record has its audit event
and the figures are those the services keep. (Visit by visit through `visit_record` each of the
town's 27,000 visits cost its own audit append and half a dozen statements, and the seed had not
ended after 17 minutes on a loaded machine; a day's visits at once cost a few statements and
one audit append, whatever their number: the whole seed then took 3 min 41 s of CPU, against
1 min 51 s with the visits in bulk.) A county (`--scale county`, the benchmarks' million
visits) is written in bulk, village by village, from the same plan: through the services it
would take hours, and the county benchmarks read the records, not their audit; seed_demo
recounts every figure row at the end of the load, so `manage.py verify_figures` holds for both.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from xiangzhi.accounts.models import User
from xiangzhi.core.demo import DemoContext
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household

from .models import ContactLink, PartyMember, Visit, VisitNeed

LEARNED = (
    "家中老人身体尚好，子女在外务工",
    "了解今年种植收成情况，收入比去年有所增加",
    "宣传医保缴费政策，户主表示按时缴纳",
    "孩子上学情况良好，家中无特殊困难",
    "宣传防火防汛知识，提醒注意用电安全",
    "了解人居环境整治情况，房前屋后已清理",
)
NEEDS = ("希望修缮通组路", "咨询低保申请条件", "希望安装路灯", "反映饮水管道漏水")
FOLLOW_UPS = ("下次走访再看看老人身体情况", "帮助联系农技站指导种植", "提醒按时缴纳医保")
MET = ("户主本人", "户主及其配偶", "户主的母亲", "户主的儿子")
OVERDUE_SHARE = 0.08
NEED_SHARE = 0.05
FOLLOW_UP_SHARE = 0.04
NEED_OPEN_DAYS = 60  # needs raised in the last two months are still open
BATCH = 5000


def load(context: DemoContext, village: GridNode) -> dict[str, int]:
    """Link a village's households and seed its year of visits."""
    members = list(
        PartyMember.objects.filter(
            resident__node__path__under=village.path, resident__status="active"
        )
        .select_related("resident__node")
        .order_by("pk")
    )
    if not members:
        return {"contact_links": 0, "visits": 0}
    by_group = defaultdict(list)
    for member in members:
        by_group[member.organisation_id].append(member)
    group_of = dict(
        GridNode.objects.filter(level=5, path__under=village.path).values_list("pk", "parent_id")
    )
    households = list(
        Household.objects.filter(node__path__under=village.path, status=Household.Status.ACTIVE)
        .select_related("node")
        .order_by("pk")
    )
    # The plan (who contacts whom since when, and the days of each member's rounds of visits) is
    # drawn first, the same for both writers, so that a seed gives the same demo whichever
    # writes it.
    links, contacts_of = [], defaultdict(list)
    for i, household in enumerate(households):
        pool = by_group.get(group_of.get(household.node_id)) or members
        member = pool[i % len(pool)]
        links.append((household, member, _started(context)))
        contacts_of[member.pk].append((household, _stops(context)))
    rounds = [
        (member, day, visits)
        for member in members
        for day, visits in _rounds(context, contacts_of[member.pk])
    ]
    if context.county:
        return _bulk(context, links, rounds)
    return _through_services(context, links, rounds)


def _started(context: DemoContext) -> dt.date:
    return context.today - dt.timedelta(days=context.rng.randint(380, 900))


def _stops(context: DemoContext) -> dt.date:
    """The day after which a household is no longer visited: today, or long ago (overdue)."""
    rng, today = context.rng, context.today
    if rng.random() < OVERDUE_SHARE:
        return today - dt.timedelta(days=rng.randint(100, 200))
    return today


def _rounds(context: DemoContext, households: list[tuple]) -> list[tuple[dt.date, list[tuple]]]:
    """A member's year of 走访日: every one to three months the member calls on each of their
    households still visited; a visit is (household, met, learned, need or "", follow-up or "")."""
    rng, today = context.rng, context.today
    out = []
    day = today - dt.timedelta(days=365)
    while True:
        day += dt.timedelta(days=rng.randint(25, 95))
        if day > today:
            return out
        visits = [
            (
                household,
                rng.choice(MET),
                rng.choice(LEARNED),
                rng.choice(NEEDS) if rng.random() < NEED_SHARE else "",
                rng.choice(FOLLOW_UPS) if rng.random() < FOLLOW_UP_SHARE else "",
            )
            for household, stop in households
            if day <= stop
        ]
        if visits:
            out.append((day, visits))


def _through_services(context: DemoContext, links: list[tuple], rounds: list[tuple]) -> dict:
    """Link and visit as the village's cadres would have, service by service."""
    from .services import VisitEntry, contact_link_add, need_close, need_take, visits_record_day

    rng, today = context.rng, context.today
    clerk = User.objects.get(username="demo_shuji")
    for household, member, started in links:
        contact_link_add(actor=clerk, household=household, member=member, started_on=started)
    count = 0
    for member, day, visits in sorted(rounds, key=lambda r: (r[1], r[0].pk)):
        made = visits_record_day(
            actor=clerk,
            member=member,
            visited_on=day,
            recorded_on=min(day + dt.timedelta(days=rng.randint(0, 3)), today),
            entries=[
                VisitEntry(household, met, learned, (need,) if need else (), follow_up)
                for household, met, learned, need, follow_up in visits
            ],
        )
        count += len(made)
        if day > today - dt.timedelta(days=NEED_OPEN_DAYS):
            continue
        for raised in VisitNeed.objects.filter(visit__in=made).order_by("pk"):
            if rng.random() < 0.7:
                need_close(actor=clerk, need=raised, outcome="已由村委会办结")
            else:
                need_take(actor=clerk, need=raised, by="乡镇农业农村办")
    # Marked as the demo's, as every synthetic record is (the services write real ones).
    households = [household.pk for household, *_ in links]
    for model in (ContactLink, Visit, VisitNeed):
        model.objects.filter(household_id__in=households).update(is_synthetic=True)
    return {"contact_links": len(links), "visits": count}


def _bulk(context: DemoContext, plan: list[tuple], rounds: list[tuple]) -> dict[str, int]:
    """The same plan inserted in bulk (a county), with no audit events."""
    today = context.today
    visits, needs_of, last = [], [], {}
    for member, day, round_visits in rounds:
        for household, met, learned, need, follow_up in round_visits:
            visits.append(
                Visit(
                    household_id=household.pk,
                    member_id=member.pk,
                    visited_on=day,
                    met=met,
                    learned=learned,
                    follow_up=follow_up,
                    is_synthetic=True,
                )
            )
            needs_of.append(need)
            last[household.pk] = max(day, last.get(household.pk, day))
    links = [
        ContactLink(
            household_id=household.pk,
            member_id=member.pk,
            started_on=started,
            last_visit_on=last.get(household.pk),
            is_synthetic=True,
        )
        for household, member, started in plan
    ]
    ContactLink.objects.bulk_create(links, batch_size=BATCH)
    made = Visit.objects.bulk_create(visits, batch_size=BATCH)
    closed_before = today - dt.timedelta(days=NEED_OPEN_DAYS)
    VisitNeed.objects.bulk_create(
        [
            VisitNeed(
                visit_id=v.pk,
                household_id=v.household_id,
                text=need,
                status="closed" if v.visited_on <= closed_before else "open",
                outcome="已由村委会办结" if v.visited_on <= closed_before else "",
                is_synthetic=True,
            )
            for v, need in zip(made, needs_of, strict=True)
            if need and v.pk
        ],
        batch_size=BATCH,
    )
    return {"contact_links": len(links), "visits": len(visits)}
