"""The party's demo: members among each village's adults, organised in their hamlet group (level
4), a few probationary; their households become 党员中心户; one member gets a login.

Reads "grid.towns" and "grid.village" from the grid's loader and the residents made by people's.
"""

from __future__ import annotations

import datetime as dt

from xiangzhi.accounts.demo import demo_bind, demo_user
from xiangzhi.core.demo import DemoContext
from xiangzhi.core.roles import Role
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household, Resident

from . import demo_contacts, demo_orglife
from .models import PartyMember


def load(context: DemoContext) -> dict[str, int]:
    """Every town's members village by village, then the login of the first village's first."""
    counts = {"party_members": 0, "contact_links": 0, "visits": 0}
    per_town = context.scale.party_members_per_town
    for _, town, villages in context.shared["grid.towns"]:
        per_village, rest = divmod(per_town, len(villages))
        with context.timed(f"{town.name} 党员", counts):
            for v_no, village in enumerate(villages, start=1):
                counts["party_members"] += _members(context, village, per_village + (v_no <= rest))
        with context.timed(f"{town.name} 联系户与走访", counts):
            for village in villages:
                for key, n in demo_contacts.load(context, village).items():
                    counts[key] += n
    _member_login(context)
    counts.update(demo_orglife.load(context))
    return counts


def _members(context: DemoContext, village: GridNode, count: int) -> int:
    """Draw a village's members from its living adults, in the order they were registered."""
    rng, today = context.rng, context.today
    group_of = dict(
        GridNode.objects.filter(level=5, path__under=village.path).values_list("pk", "parent_id")
    )
    adults = list(
        Resident.objects.filter(
            node_id__in=group_of,
            status=Resident.Status.ACTIVE,
            birth_date__lt=today - dt.timedelta(days=22 * 365),
        )
        .order_by("id")
        .values_list("pk", "birth_date", "node_id", "household_id")
    )
    chosen = rng.sample(adults, min(count, len(adults)))
    members = []
    for pk, birth_date, node_id, _ in chosen:
        earliest = birth_date + dt.timedelta(days=19 * 365)
        joined = earliest + dt.timedelta(days=rng.randint(0, max(1, (today - earliest).days - 30)))
        members.append(
            PartyMember(
                resident_id=pk,
                organisation_id=group_of[node_id],
                joined_on=joined,
                is_synthetic=True,
                category=(
                    PartyMember.Category.PROBATIONARY
                    if rng.random() < 0.04
                    else PartyMember.Category.FULL
                ),
            )
        )
    PartyMember.objects.bulk_create(members, batch_size=2000)
    households = {household_id for *_, household_id in chosen}
    Household.objects.filter(pk__in=households).update(is_central_household=True)
    return len(members)


def _member_login(context: DemoContext) -> None:
    """The login of the first village's first member who has none yet."""
    village = context.shared["grid.village"]
    member = (
        PartyMember.objects.filter(
            resident__node__path__under=village.path, resident__user__isnull=True
        )
        .select_related("resident")
        .order_by("id")
        .first()
    )
    user = demo_user("demo_dangyuan", member.resident.name)
    Resident.objects.filter(pk=member.resident_id).update(user=user)
    demo_bind(user, Role.PARTY_MEMBER)
