"""The demo's appeals: a year of them in every village of the first town, each raised, handled,
replied, rated and closed through the services at its own dates (so the timelines, the audit
trail, the figures and the satisfaction tables are real), a few still open or overdue.

The messages come from demo_corpus (villagers' own wording, labelled with a kind and a
department as a cadre would set them): each appeal is filed with its message's kind and
dispatched to its department (or kept by the village), so the routing suggestion learns from a
realistic history and `bench/routing.py` measures it on the held-out newest part.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xiangzhi.accounts.models import Department, User
from xiangzhi.core.demo import DemoContext
from xiangzhi.people.models import Household

from .demo_corpus import TOWNSHIP_OFFICES, VILLAGE, Message, messages

PER_VILLAGE = 40  # appeals per village over the year
SOURCES = ["group_chat"] * 4 + ["phone"] * 2 + ["walk_in", "patrol", "hamlet_talk", "h5"]
SCORES = [5, 5, 5, 4, 4, 4, 3, 2, 1]


def _user(username: str, fallback: User) -> User:
    return User.objects.filter(username=username).first() or fallback


def load(context: DemoContext) -> dict[str, int]:
    """A year of appeals in each village of the first town, then the deadline sweep of today."""
    from .services import appeal_deadline_sweep

    counts = {"appeals": 0}
    towns = context.shared.get("grid.towns") or []
    if not towns:
        return counts
    admin = User.objects.get(username="demo_admin")
    actors = {
        "handler": admin,
        "township": _user("demo_shuji", admin),
    }
    # The township offices a message may go to (the six departments come with migrations).
    for code, name in TOWNSHIP_OFFICES.items():
        Department.objects.get_or_create(code=code, defaults={"name": name})
    departments = {d.code: d for d in Department.objects.all()}
    _, town, villages = towns[0]
    with context.timed(f"{town.name} 群众诉求", counts):
        for village in villages:
            counts["appeals"] += _village(context, village, actors, departments)
    appeal_deadline_sweep(now=timezone.now())
    return counts


def _village(context: DemoContext, village, actors: dict, departments: dict) -> int:  # noqa: ANN001
    households = list(
        Household.objects.filter(node__path__under=village.path, status="active")
        .select_related("node", "head")
        .order_by("id")[:400]
    )
    if not households:
        return 0
    rng = context.rng
    now = timezone.now()
    for message in messages(PER_VILLAGE, rnd=rng):
        days_ago = rng.randint(0, 364)
        at = timezone.localtime(now) - dt.timedelta(days=days_ago)
        at = at.replace(hour=rng.randint(7, 20), minute=rng.randint(0, 59), second=0, microsecond=0)
        at = min(at, now - dt.timedelta(minutes=5))
        _one(context, message, rng.choice(households), at, now, actors, departments)
    return PER_VILLAGE


def _one(context, message: Message, household, at, now, actors, departments) -> None:  # noqa: ANN001
    from . import services

    rng, handler, township = context.rng, actors["handler"], actors["township"]
    appeal = services.appeal_submit(
        actor=handler,
        text=message.text,
        kind=message.kind,
        source=rng.choice(SOURCES),
        household=household,
        resident=household.head,
        at=at,
    )
    age = now - at

    def later(hours: float) -> dt.datetime:
        return min(at + dt.timedelta(hours=hours), now - dt.timedelta(minutes=1))

    if age < dt.timedelta(hours=6):
        return  # still waiting to be accepted
    services.appeal_accept(actor=handler, appeal=appeal, at=later(2))
    department = departments.get(message.department) if message.department != VILLAGE else None
    if department is not None:
        services.appeal_dispatch(actor=handler, appeal=appeal, department=department, at=later(4))
    else:
        services.appeal_assign(actor=handler, appeal=appeal, assignee=handler, at=later(4))
    if age < dt.timedelta(days=3) or rng.random() < 0.04:
        return  # in hand; the oldest of these go overdue in the sweep
    services.appeal_start(actor=handler, appeal=appeal, at=later(20))
    replied = rng.uniform(24, 24 * 9)  # now and then past the deadline
    services.appeal_reply(
        actor=handler, appeal=appeal, note="已处理，请您看看。", at=later(replied)
    )
    if age < dt.timedelta(hours=replied + 48):
        return  # replied, the follow-up call not made yet
    if rng.random() < 0.15:
        services.appeal_supervise(actor=township, appeal=appeal, note="请跟进", at=later(replied))
    score = rng.choice(SCORES)
    services.appeal_follow_up(actor=township, appeal=appeal, score=score, at=later(replied + 24))
    if score <= 2 and rng.random() < 0.5:
        services.appeal_reopen(
            actor=handler, appeal=appeal, note="群众不满意", at=later(replied + 25)
        )
        services.appeal_reply(
            actor=handler, appeal=appeal, note="重新处理了。", at=later(replied + 48)
        )
        score = rng.choice([3, 4, 5])
        services.appeal_follow_up(
            actor=township, appeal=appeal, score=score, at=later(replied + 49)
        )
    services.appeal_close(actor=handler, appeal=appeal, at=later(replied + 50))
