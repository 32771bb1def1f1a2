"""The demo's contact work: every household of a village linked to a member of its hamlet group
(or of the village), and a year of visits, most households visited every one to three months,
some left overdue. Written in bulk village by village (a county seeds about a million visits)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

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
MET = ("户主本人", "户主及其配偶", "户主的母亲", "户主的儿子")
OVERDUE_SHARE = 0.08
NEED_SHARE = 0.05
BATCH = 5000


def load(context: DemoContext, village: GridNode) -> dict[str, int]:
    """Link a village's households and seed its year of visits."""
    rng, today = context.rng, context.today
    members = list(
        PartyMember.objects.filter(
            resident__node__path__under=village.path, resident__status="active"
        )
        .order_by("pk")
        .values_list("pk", "organisation_id")
    )
    if not members:
        return {"contact_links": 0, "visits": 0}
    by_group = defaultdict(list)
    for pk, org in members:
        by_group[org].append(pk)
    group_of = dict(
        GridNode.objects.filter(level=5, path__under=village.path).values_list("pk", "parent_id")
    )
    households = list(
        Household.objects.filter(node__path__under=village.path, status=Household.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", "node_id")
    )
    links, visits, needs_of = [], [], []
    all_members = [pk for pk, _ in members]
    for i, (household_id, node_id) in enumerate(households):
        pool = by_group.get(group_of.get(node_id)) or all_members
        member = pool[i % len(pool)]
        started = today - dt.timedelta(days=rng.randint(380, 900))
        overdue = rng.random() < OVERDUE_SHARE
        day = today - dt.timedelta(days=365)
        last = None
        while True:
            day += dt.timedelta(days=rng.randint(25, 95))
            stop = today - dt.timedelta(days=rng.randint(100, 200)) if overdue else today
            if day > stop:
                break
            last = day
            visits.append(
                Visit(
                    household_id=household_id,
                    member_id=member,
                    visited_on=day,
                    met=rng.choice(MET),
                    learned=rng.choice(LEARNED),
                    is_synthetic=True,
                )
            )
            needs_of.append(rng.random() < NEED_SHARE)
        links.append(
            ContactLink(
                household_id=household_id,
                member_id=member,
                started_on=started,
                last_visit_on=last,
                is_synthetic=True,
            )
        )
    ContactLink.objects.bulk_create(links, batch_size=BATCH)
    made = Visit.objects.bulk_create(visits, batch_size=BATCH)
    VisitNeed.objects.bulk_create(
        [
            VisitNeed(
                visit_id=v.pk,
                household_id=v.household_id,
                text=rng.choice(NEEDS),
                status="open" if v.visited_on > today - dt.timedelta(days=60) else "closed",
                outcome="" if v.visited_on > today - dt.timedelta(days=60) else "已由村委会办结",
                is_synthetic=True,
            )
            for v, raised in zip(made, needs_of, strict=True)
            if raised and v.pk
        ],
        batch_size=BATCH,
    )
    return {"contact_links": len(links), "visits": len(visits)}
