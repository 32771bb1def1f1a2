"""The registry's demo: households and residents on the grid's central households, their tags,
a villager's login and two months of births, deaths and moves in the first village.

Households and residents are made village by village and written in bulk, so memory stays
bounded by one village whatever the scale. Reads "grid.towns", "grid.village" and
"grid.village_cadre" from the grid's loader.
"""

from __future__ import annotations

import datetime as dt

from xiangzhi.accounts.demo import demo_bind, demo_user
from xiangzhi.core.demo import DemoContext
from xiangzhi.core.roles import Role
from xiangzhi.grid.models import GridNode

from .models import Household, HouseholdChange, Resident, Tag

HOUSEHOLD_TAGS = (
    ("poverty_alleviated", 0.08),
    ("subsistence_allowance", 0.04),
    ("large_grower", 0.05),
    ("self_employed_business", 0.06),
    ("returnee", 0.05),
)


def load(context: DemoContext) -> dict[str, int]:
    """Every town's households village by village, then the villager and the recent changes."""
    counts = {"households": 0, "residents": 0}
    tags = {t.code: t.pk for t in Tag.objects.all()}
    per_town = context.scale.households_per_town
    for t, town, villages in context.shared["grid.towns"]:
        per_village, rest = divmod(per_town, len(villages))
        with context.timed(town.name, counts):
            for v_no, village in enumerate(villages, start=1):
                prefix = f"T{t:02d}V{v_no:02d}" if context.county else f"V{v_no:02d}"
                central = list(
                    GridNode.objects.filter(level=5, path__under=village.path).order_by("id")
                )
                households = _households(context, central, prefix, per_village + (v_no <= rest))
                residents = _residents(context, households)
                _tags(context, households, residents, tags)
                counts["households"] += len(households)
                counts["residents"] += len(residents)
    _villager(context)
    changes, births = _recent_changes(context)
    counts["residents"] += births
    counts["recent_changes"] = changes
    return counts


def _households(context: DemoContext, central: list[GridNode], prefix: str, count: int):
    """A village's households, the first on each central household, the rest anywhere."""
    rng = context.rng
    households = []
    for i in range(count):
        node = central[i] if i < len(central) else rng.choice(central)
        households.append(
            Household(
                node=node,
                number=f"{prefix}-{i + 1:05d}",
                address=f"{node.name[:-5]}{rng.randint(1, 99)}号",
                is_synthetic=True,
                note="合成演示数据",
            )
        )
    Household.objects.bulk_create(households, batch_size=2000)
    return households


def _residents(context: DemoContext, households: list[Household]) -> list[Resident]:
    """The members of each household (head, spouse, children or grandchildren) and its history."""
    rng, synth, today = context.rng, context.synth, context.today
    residents: list[Resident] = []
    for h in households:
        surname = synth.surname()
        size = rng.choices([1, 2, 3, 4, 5, 6], weights=[10, 22, 25, 23, 13, 7])[0]
        head_gender = "M" if rng.random() < 0.8 else "F"
        head_birth = synth.birth_date(28, 85, today)
        plan = [("head", head_gender, head_birth)]
        if size >= 2:
            plan.append(
                ("spouse", "F" if head_gender == "M" else "M", synth.birth_date(26, 85, today))
            )
        for _ in range(size - len(plan)):
            if head_birth.year < 1965 and rng.random() < 0.5:
                plan.append(("grandchild", rng.choice("MF"), synth.birth_date(0, 17, today)))
            else:
                plan.append(("child", rng.choice("MF"), synth.birth_date(0, 35, today)))
        for relation, gender, birth in plan:
            name = (surname if relation != "spouse" else synth.surname()) + synth.given()
            r = Resident(
                household=h,
                node=h.node,
                name=name,
                gender=gender,
                birth_date=birth,
                id_number=synth.id_number(birth, gender),
                phone=synth.phone()
                if (today - birth).days > 16 * 365 and rng.random() < 0.8
                else "",
                relation=relation,
                is_synthetic=True,
            )
            r.prepare()
            residents.append(r)
            if relation == "head":
                h.head = r
    Resident.objects.bulk_create(residents, batch_size=2000)
    Household.objects.bulk_update(households, ["head"], batch_size=2000)
    HouseholdChange.objects.bulk_create(
        [
            HouseholdChange(
                household=h,
                kind=HouseholdChange.Kind.MOVE_IN,
                occurred_on=dt.date(2020, 1, 1),
                resident=h.head,
                note="初始登记（合成演示数据）",
            )
            for h in households
        ],
        batch_size=2000,
    )
    return residents


def _tags(context: DemoContext, households, residents, tags: dict[str, int]) -> None:
    rng, today = context.rng, context.today
    through = Household.tags.through
    links = [
        through(household_id=h.pk, tag_id=tags[code])
        for h in households
        for code, p in HOUSEHOLD_TAGS
        if rng.random() < p
    ]
    through.objects.bulk_create(links, batch_size=2000)
    rthrough = Resident.tags.through
    rlinks = []
    for r in residents:
        age = (today - r.birth_date).days // 365
        if age >= 70 and rng.random() < 0.15:
            rlinks.append(rthrough(resident_id=r.pk, tag_id=tags["elderly_living_alone"]))
        if age < 14 and rng.random() < 0.2:
            rlinks.append(rthrough(resident_id=r.pk, tag_id=tags["left_behind_child"]))
        if rng.random() < 0.02:
            rlinks.append(rthrough(resident_id=r.pk, tag_id=tags["disabled"]))
    rthrough.objects.bulk_create(rlinks, batch_size=2000)


def _villager(context: DemoContext) -> None:
    """The login of the first village's first head of household."""
    village = context.shared["grid.village"]
    villager = (
        Resident.objects.filter(node__path__under=village.path, relation="head", user__isnull=True)
        .order_by("id")
        .first()
    )
    user = demo_user("demo_cunmin", villager.name)
    Resident.objects.filter(pk=villager.pk).update(user=user)
    demo_bind(user, Role.VILLAGER)


def _recent_changes(context: DemoContext, households: int = 12) -> tuple[int, int]:
    """Births, deaths and moves of the last eight weeks in the demo cadre's village, made
    through the registry's services (history, audit), so that the 人口变动台账 has a month to
    report and the household pages a history. Returns the changes and the births among them."""
    # Imported here: this module is imported by PeopleConfig.ready() in every process, and the
    # services (with the sheet engine they bring) are needed only when the demo is loaded.
    from .services import ResidentData, resident_add, resident_move_out, resident_record_death

    cadre, village = context.shared["grid.village_cadre"], context.shared["grid.village"]
    rng, made, births = context.rng, 0, 0
    chosen = Household.objects.filter(
        node__path__startswith=village.path, status=Household.Status.ACTIVE
    ).order_by("id")[:households]
    for i, household in enumerate(chosen):
        day = context.today - dt.timedelta(days=rng.randrange(0, 56))
        members = list(
            household.members.filter(status=Resident.Status.ACTIVE)
            .exclude(pk=household.head_id)
            .order_by("id")
        )
        if i % 3 == 0 or not members:
            gender = rng.choice("MF")
            baby = resident_add(
                actor=cadre,
                household=household,
                kind=HouseholdChange.Kind.BIRTH,
                occurred_on=day,
                data=ResidentData(
                    name=household.head.name[0] + context.synth.given(),
                    gender=gender,
                    birth_date=day,
                    id_number=context.synth.id_number(day, gender),
                    relation=Resident.Relation.GRANDCHILD,
                ),
            )
            Resident.objects.filter(pk=baby.pk).update(is_synthetic=True)
            births += 1
        elif i % 3 == 1:
            resident_record_death(actor=cadre, resident=members[0], occurred_on=day)
        else:
            resident_move_out(
                actor=cadre, resident=members[-1], occurred_on=day, note="外出务工，迁往县城"
            )
        made += 1
    return made, births
