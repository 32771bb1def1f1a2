"""The demo township's organisational life, through the services: a year of 三会一课 and 主题党日
per branch (some branches behind: last month's committee meeting or theme day, or last
quarter's lecture not held; the town's last branch always), the monthly group meetings of each
village's first hamlet groups, each village's posts with members on them and what they did, and
hamlet talks with opinions at every stage.

Only the first town (the demo township) gets them: at county scale the other towns would take
the services' per-record cost many times over, and the county benchmarks read visits, not these.
"""

from __future__ import annotations

import datetime as dt

from xiangzhi.accounts.models import User
from xiangzhi.core.demo import DemoContext
from xiangzhi.grid.models import GridNode

from .models import PartyMember, Post
from .models.meetings import EVERY_MONTHS, KINDS_BY_LEVEL, MeetingKind, period_of
from .services import (
    hamlet_talk_record,
    meeting_plan,
    meeting_record,
    opinion_add,
    opinion_resolve,
    post_assign,
    post_defaults_add,
    post_entry_record,
)
from .services.meetings import expected_members

TOPICS = {
    MeetingKind.BRANCH_ASSEMBLY: ("发展党员表决", "年度工作总结", "党费收缴情况通报"),
    MeetingKind.BRANCH_COMMITTEE: ("研究本月重点工作", "讨论困难群众帮扶", "部署人居环境整治"),
    MeetingKind.GROUP_MEETING: ("学习近期文件", "交流联系户走访情况", "讨论屋场公共事务"),
    MeetingKind.PARTY_LECTURE: ("学习党章", "乡村振兴政策解读", "基层治理专题党课"),
    MeetingKind.THEME_DAY: ("重温入党誓词", "志愿清扫村道", "走访慰问老党员"),
}
OPINIONS = (
    ("组里路灯坏了好几盏", "need", ""),
    ("希望村里修一下灌溉水渠", "village_matter", ""),
    ("医保缴费怎么在手机上交", "answered", "已当场演示手机缴费步骤"),
    ("建议垃圾桶多放几个", "answered", "村里下周增设两个"),
    ("想在屋场建个篮球场", "no_action", "今年村集体资金已用完，列入明年计划"),
    ("老人体检能不能安排到村里", "", ""),
)


def load(context: DemoContext) -> dict[str, int]:
    counts = {"meetings": 0, "posts": 0, "post_entries": 0, "hamlet_talks": 0}
    towns = context.shared["grid.towns"]
    if not towns:
        return counts
    _, town, villages = towns[0]
    chief = User.objects.get(username="demo_shuji")
    with context.timed(f"{town.name} 组织生活", counts):
        for v_no, village in enumerate(villages):
            counts["posts"] += post_defaults_add(actor=chief, node=village)
            counts["post_entries"] += _posts(context, chief, village)
            branches = list(
                GridNode.objects.filter(level=3, path__under=village.path).order_by("path")
            )
            for b_no, branch in enumerate(branches, start=1):
                # The town's last branch is always behind with last month's committee meeting,
                # so that every demo has a branch on the township's overdue list.
                last = v_no == len(villages) - 1 and b_no == len(branches)
                counts["meetings"] += _meetings(context, chief, branch, behind_committee=last)
            # Each village's first hamlet groups hold their monthly 党小组会 (the first village:
            # two of them).
            groups = GridNode.objects.filter(level=4, path__under=village.path).order_by("path")
            for group in groups[: 2 if v_no == 0 else 1]:
                counts["meetings"] += _meetings(context, chief, group)
            counts["hamlet_talks"] += _talks(context, chief, village)
    return counts


def _periods(kind: str, today: dt.date) -> list[dt.date]:
    """The first days of the periods of the last twelve months, oldest first."""
    start, _ = period_of(kind, today)
    out = []
    day = start - dt.timedelta(days=1)
    while len(out) < 12 // EVERY_MONTHS[MeetingKind(kind)]:
        start, _ = period_of(kind, day)
        out.append(start)
        day = start - dt.timedelta(days=1)
    return out[::-1]


def _meetings(
    context: DemoContext, chief: User, org: GridNode, *, behind_committee: bool = False
) -> int:
    """A year of the organisation's meetings; a few branches are behind with the last ones."""
    rng, today = context.rng, context.today
    behind = {
        k for k in (MeetingKind.BRANCH_COMMITTEE, MeetingKind.THEME_DAY) if rng.random() < 0.1
    }
    if behind_committee:
        behind.add(MeetingKind.BRANCH_COMMITTEE)
    if rng.random() < 0.1:
        behind.add(MeetingKind.PARTY_LECTURE)
    members = list(expected_members(org))
    made = 0
    for kind in KINDS_BY_LEVEL[org.level]:
        periods = _periods(kind, today)
        for i, start in enumerate(periods):
            day = start + dt.timedelta(days=rng.randint(2, 25))
            meeting = meeting_plan(actor=chief, organisation=org, kind=kind, planned_on=day)
            made += 1
            if kind in behind and i == len(periods) - 1:
                continue  # planned, never held: the township's page shows the branch overdue
            attendance = {}
            for m in members:
                roll = rng.random()
                if roll < 0.08:
                    attendance[m.pk] = ("leave", rng.choice(("外出务工", "身体不适", "照顾家人")))
                elif roll < 0.12:
                    attendance[m.pk] = ("absent", "")
                else:
                    attendance[m.pk] = ("present", "")
            meeting_record(
                actor=chief,
                meeting=meeting,
                held_on=day,
                topic=rng.choice(TOPICS[MeetingKind(kind)]),
                host=f"{org.name}书记" if org.level == 3 else f"{org.name}组长",
                place="村党群服务中心",
                minutes="会议传达学习了上级精神，讨论了本期工作，与会党员踊跃发言。",
                attendance=attendance,
            )
    return made


def _posts(context: DemoContext, chief: User, village: GridNode) -> int:
    """About half the village's members on a post, each with a few entries."""
    rng, today = context.rng, context.today
    posts = list(Post.objects.filter(node=village).order_by("pk"))
    members = PartyMember.objects.filter(
        resident__node__path__under=village.path,
        status=PartyMember.Status.ACTIVE,
        resident__status="active",
        resident__user__isnull=True,
    ).order_by("pk")
    entries = 0
    for member in members:
        if rng.random() < 0.5:
            continue
        started = today - dt.timedelta(days=rng.randint(60, 360))
        held = post_assign(actor=chief, post=rng.choice(posts), member=member, started_on=started)
        for _ in range(rng.randint(0, 3)):
            day = started + dt.timedelta(days=rng.randint(0, (today - started).days))
            post_entry_record(
                actor=chief,
                assignment=held,
                done_on=day,
                content=rng.choice(
                    ("向邻居宣讲医保政策", "清理屋场公共区域垃圾", "调解两户宅基地纠纷")
                ),
            )
            entries += 1
    return entries


def _talks(context: DemoContext, chief: User, village: GridNode) -> int:
    """Three hamlet talks in the village's groups, their opinions at every stage."""
    rng, today = context.rng, context.today
    groups = list(GridNode.objects.filter(level=4, path__under=village.path).order_by("path"))
    for n in range(3):
        group = rng.choice(groups)
        talk = hamlet_talk_record(
            actor=chief,
            node=group,
            held_on=today - dt.timedelta(days=rng.randint(5, 300)),
            topics=rng.choice(("屋场道路硬化", "人居环境整治", "村规民约修订")),
            host=f"{group.name}组长",
            place=f"{group.name}晒谷坪",
            other_attendees="，".join(f"村民{n}{i}" for i in range(rng.randint(3, 8))),
        )
        for content, outcome, note in rng.sample(OPINIONS, 3):
            opinion = opinion_add(actor=chief, talk=talk, content=content)
            if outcome:
                opinion_resolve(actor=chief, opinion=opinion, outcome=outcome, note=note)
    return 3
