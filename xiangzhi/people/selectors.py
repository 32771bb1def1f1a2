"""Every read of the registry that a page or the API shows."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from xiangzhi.core.crypto import blind_index
from xiangzhi.core.validators import normalize_text

from .models import Household, HouseholdChange, Resident

_ASCII = re.compile(r"^[a-z]+$")


def resident_search_q(query: str) -> Q:
    """Match a name, its full pinyin or initials ("zhangsan", "zs"), or an exact ID/phone number."""
    q = normalize_text(query).lower()
    if not q:
        return Q()
    if _ASCII.match(q):
        return Q(name_pinyin__startswith=q) | Q(name_initials__startswith=q)
    upper = q.upper()
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", upper):
        from xiangzhi.core.validators import parse_citizen_id

        try:
            upper = parse_citizen_id(upper).number
        except Exception:  # noqa: BLE001 - an invalid number simply matches nothing
            return Q(pk__in=[])
        return Q(id_number_index=blind_index(upper, "id"))
    if re.fullmatch(r"1\d{10}", q):
        return Q(phone_index=blind_index(q, "phone"))
    return Q(name__contains=query.strip())


def resident_list(
    *, actor, node=None, search: str = "", status: str = Resident.Status.ACTIVE, tag: str = ""
) -> QuerySet[Resident]:
    qs = Resident.objects.for_actor(actor).select_related("household", "node")
    if node is not None:
        qs = qs.filter(node__path__startswith=node.path)
    if status:
        qs = qs.filter(status=status)
    if tag:
        qs = qs.filter(tags__code=tag)
    if search:
        qs = qs.filter(resident_search_q(search))
    return qs.order_by("node__path", "household_id", "id")


def household_list(
    *, actor, node=None, search: str = "", tag: str = "", status: str = Household.Status.ACTIVE
) -> QuerySet[Household]:
    qs = Household.objects.for_actor(actor).select_related("node", "head")
    if node is not None:
        qs = qs.filter(node__path__startswith=node.path)
    if status:
        qs = qs.filter(status=status)
    if tag:
        qs = qs.filter(tags__code=tag)
    if search:
        s = normalize_text(search)
        by_member = Resident.objects.filter(resident_search_q(search)).values("household_id")
        qs = qs.filter(Q(address__contains=s) | Q(number=s) | Q(pk__in=by_member))
    return qs.order_by("node__path", "id")


def household_detail(*, actor, household: Household) -> dict:
    members = list(
        household.members.select_related("node").prefetch_related("tags").order_by("status", "id")
    )
    changes = list(
        HouseholdChange.objects.for_actor(actor)
        .filter(household=household)
        .select_related("resident", "other_household", "created_by")
    )
    return {
        "household": household,
        "members": members,
        "active_members": [m for m in members if m.status == Resident.Status.ACTIVE],
        "changes": changes,
        "tags": list(household.tags.all()),
    }
