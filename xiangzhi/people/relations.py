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
# 父母 also holds the spouse's parents (公婆, 岳父母: the import reads them so).
AFTER_HEAD_CHANGE: dict[str, dict[str, str]] = {
    R.SPOUSE: {
        R.HEAD: R.SPOUSE,
        R.CHILD: R.CHILD,
        R.CHILD_IN_LAW: R.CHILD_IN_LAW,
        R.GRANDCHILD: R.GRANDCHILD,
        R.PARENT: R.PARENT,
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
    R.CHILD_IN_LAW: {
        R.HEAD: R.PARENT,
        R.SPOUSE: R.PARENT,
    },
}


def _other_sex(a: Resident, b: Resident) -> bool:
    return bool(a.gender and b.gender and a.gender != b.gender)


def relations_after_head_change(new_head: Resident, members: Iterable[Resident]) -> dict[int, str]:
    """{member pk: suggested relation to new_head} for every member but the new head, read from
    the members' relations to the old head (new_head.relation is the new head's). At most one
    member is suggested as the spouse."""
    others = [m for m in members if m.pk != new_head.pk]
    pivot = new_head.relation
    if pivot == R.HEAD:
        return {m.pk: m.relation for m in others}
    table = AFTER_HEAD_CHANGE.get(pivot, {})
    by_relation: dict[str, list[Resident]] = {}
    for m in others:
        by_relation.setdefault(m.relation, []).append(m)
    children = by_relation.get(R.CHILD, [])
    in_laws = by_relation.get(R.CHILD_IN_LAW, [])
    parents = by_relation.get(R.PARENT, [])
    spouse = None  # the one member the rules below can tell is the new head's spouse
    if pivot == R.CHILD:
        # A child who takes over: the one child-in-law of the other sex is the spouse when no
        # brother (or sister, for a daughter) of the new head lives here to be married to them.
        candidates = [m for m in in_laws if _other_sex(m, new_head)]
        same_sex = [c for c in children if c.gender == new_head.gender]
        if len(candidates) == 1 and not same_sex:
            spouse = candidates[0]
    elif pivot == R.PARENT:
        # A parent who takes over: the other parent, when there is just one, of the other sex.
        if len(parents) == 1 and _other_sex(parents[0], new_head):
            spouse = parents[0]
    elif pivot == R.CHILD_IN_LAW:
        # A daughter-in-law who takes over (her husband's parents were head): her husband.
        candidates = [c for c in children if _other_sex(c, new_head)]
        if len(candidates) == 1:
            spouse = candidates[0]
    out = {}
    for m in others:
        relation = table.get(m.relation)
        if m is spouse:
            relation = R.SPOUSE
        elif relation is None and m.relation == R.GRANDCHILD:
            # The old head's grandchildren are the new head's children when the new head is
            # the only one of the generation between who could be their parent.
            if (pivot == R.CHILD and not children) or (pivot == R.CHILD_IN_LAW and not in_laws):
                relation = R.CHILD
        out[m.pk] = relation or R.OTHER
    if sum(r == R.SPOUSE for r in out.values()) > 1:
        out = {pk: R.OTHER if r == R.SPOUSE else r for pk, r in out.items()}
    return out
