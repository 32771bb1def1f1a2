"""户编号 given by the village (V01-00418): a per-village sequence, one row per village
(HouseholdNumbering), locked while numbers are taken so that two registrations at once never get
the same number; an import takes a block for all its new households in one step.

A village's sequence starts on first use after the highest number already given with its
prefix, and skips numbers that a household took by hand. The prefix is V and the village's
place among its township's villages (V01 for the first), as the demo and many rosters write it.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from xiangzhi.grid.models import GridNode

from ..models import Household, HouseholdNumbering

VILLAGE_LEVEL = 2  # 行政村(社区): a household is registered at this level or below
WIDTH = 5  # digits of the sequence: V01-00418


def village_of(node: GridNode) -> GridNode:
    """The village a node lies in (the node itself for a village)."""
    if node.level == VILLAGE_LEVEL:
        return node
    return GridNode.objects.get(path=node.ancestor_path_at(VILLAGE_LEVEL))


def check_household_level(node: GridNode) -> None:
    """A household belongs to a village or a grid below it, never to a township or county."""
    if node.level < VILLAGE_LEVEL:
        raise ValidationError(
            {
                "node": gettext(
                    "户只能登记在村（社区）或其下级网格，“%(name)s”是%(level_name)s，请先进入具体的村或网格再登记"
                )
                % {"name": node.name, "level_name": node.level_name}
            }
        )


def _prefix(village: GridNode) -> str:
    place = (
        GridNode.objects.filter(
            parent_id=village.parent_id, level=village.level, path__lt=village.path
        ).count()
        + 1
    )
    return f"V{place:02d}"


def _highest(village: GridNode, prefix: str) -> int:
    """The highest sequence number already given with the prefix in the village."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    numbers = Household.objects.filter(
        node__path__under=village.path, number__startswith=f"{prefix}-"
    ).values_list("number", flat=True)
    return max((int(m[1]) for n in numbers if (m := pattern.match(n))), default=0)


def _numbering(village: GridNode) -> HouseholdNumbering:
    """The village's numbering row, locked until the transaction ends; made on first use."""
    row = HouseholdNumbering.objects.select_for_update().filter(village=village).first()
    if row is not None:
        return row
    prefix = _prefix(village)
    try:
        with transaction.atomic():  # another registration may make it at the same moment
            HouseholdNumbering.objects.create(
                village=village, prefix=prefix, last=_highest(village, prefix)
            )
    except IntegrityError:
        pass
    return HouseholdNumbering.objects.select_for_update().get(village=village)


@transaction.atomic
def next_numbers(village: GridNode, count: int = 1) -> list[str]:
    """`count` 户编号 of the village that no household has, in order."""
    if count <= 0:
        return []
    row = _numbering(village)
    out: list[str] = []
    while len(out) < count:
        start = row.last + 1
        row.last += count - len(out)
        candidates = [f"{row.prefix}-{n:0{WIDTH}d}" for n in range(start, row.last + 1)]
        taken = set(
            Household.objects.filter(
                node__path__under=village.path, number__in=candidates
            ).values_list("number", flat=True)
        )
        out += [c for c in candidates if c not in taken]
    row.save(update_fields=["last"])
    return out


def next_number(node: GridNode) -> str:
    """The next 户编号 of the node's village."""
    return next_numbers(village_of(node))[0]
