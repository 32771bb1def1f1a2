"""Relations to the head (与户主关系) after the head changes (户主变更, 户主死亡或迁出, 分户).

Relations are stored relative to the head, so a new head makes every member's relation stale:
when the father who was head dies and his son takes over, the mother is no longer the head's
spouse but his parent. `relations_after_head_change` gives the usual answer for each member from
the relations to the old head; the page that changes the head shows these as suggestions to check.
Where the coarse relations cannot tell (the old head's grandchild may be the new head's child or
nephew), the suggestion is 其他 unless one of the rules below decides it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Resident

R = Resident.Relation

# By the new head's relation to the old head, then by the member's relation to the old head.
AFTER_HEAD_CHANGE: dict[str, dict[str, str]] = {
    R.SPOUSE: {
        R.HEAD: R.SPOUSE,
        R.CHILD: R.CHILD,
        R.CHILD_IN_LAW: R.CHILD_IN_LAW,
        R.GRANDCHILD: R.GRANDCHILD,
    },
    R.CHILD: {
        R.HEAD: R.PARENT,
        R.SPOUSE: R.PARENT,
        R.CHILD: R.SIBLING,
        R.PARENT: R.GRANDPARENT,
    },
    R.PARENT: {
        R.HEAD: R.CHILD,
        R.SPOUSE: R.CHILD_IN_LAW,
        R.CHILD: R.GRANDCHILD,
        R.PARENT: R.SPOUSE,
        R.SIBLING: R.CHILD,
        R.GRANDPARENT: R.PARENT,
    },
    R.SIBLING: {
        R.HEAD: R.SIBLING,
        R.PARENT: R.PARENT,
        R.SIBLING: R.SIBLING,
        R.GRANDPARENT: R.GRANDPARENT,
    },
    R.GRANDCHILD: {
        R.HEAD: R.GRANDPARENT,
        R.SPOUSE: R.GRANDPARENT,
        R.GRANDCHILD: R.SIBLING,
    },
    R.GRANDPARENT: {
        R.HEAD: R.GRANDCHILD,
        R.SIBLING: R.GRANDCHILD,
    },
}


def relations_after_head_change(new_head: Resident, members: Iterable[Resident]) -> dict[int, str]:
    """{member pk: suggested relation to new_head} for every member but the new head, read from
    the members' relations to the old head (new_head.relation is the new head's)."""
    others = [m for m in members if m.pk != new_head.pk]
    pivot = new_head.relation
    if pivot == R.HEAD:
        return {m.pk: m.relation for m in others}
    table = AFTER_HEAD_CHANGE.get(pivot, {})
    # A child who takes over: the one child-in-law of the other sex is usually the spouse, and
    # the grandchildren are the new head's children when no brother or sister lives here.
    in_laws = [
        m
        for m in others
        if m.relation == R.CHILD_IN_LAW and m.gender and m.gender != new_head.gender
    ]
    siblings = [m for m in others if m.relation == R.CHILD]
    out = {}
    for m in others:
        relation = table.get(m.relation)
        if relation is None and pivot == R.CHILD:
            if m.relation == R.CHILD_IN_LAW and in_laws == [m]:
                relation = R.SPOUSE
            elif m.relation == R.GRANDCHILD and not siblings:
                relation = R.CHILD
        out[m.pk] = relation or R.OTHER
    return out
