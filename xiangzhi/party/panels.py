"""The contact work's panels on lower apps' pages and on the workbench (core.registry)."""

from __future__ import annotations

from xiangzhi.core.roles import AUDITOR_AND_CADRE_ROLES, FIELD_ROLES
from xiangzhi.grid.models import GridNode

from . import selectors

HISTORY_SHOWN = 10


def household(*, actor, obj, can_write: bool) -> dict:
    """A household's 信息台账 on its page: contacts, open follow-ups and its visits."""
    visits = list(selectors.household_visits(actor=actor, household=obj)[: HISTORY_SHOWN + 1])
    return {
        "contacts": list(selectors.household_contacts(actor=actor, household=obj)),
        "follow_ups": list(selectors.household_follow_ups(actor=actor, household=obj)),
        "visits": visits[:HISTORY_SHOWN],
        "more_visits": len(visits) > HISTORY_SHOWN,
        "can_write": can_write and obj.status == "active",
    }


def node(*, actor, obj, can_write: bool) -> dict | None:
    """The node page's button to its coverage (its figures are the page's own columns)."""
    return None if obj.level > 4 else {}


def _top_nodes(desk, roles) -> list[GridNode]:
    paths = desk.paths(roles)
    return list(GridNode.objects.filter(path__in=paths).order_by("path")[:5]) if paths else []


def workbench(*, actor, obj, can_write: bool) -> dict | None:
    """Each overseeing or field role's coverage of its subtrees this month."""
    desk = obj
    if not (desk.oversees or desk.in_field):
        return None
    roles = AUDITOR_AND_CADRE_ROLES | FIELD_ROLES
    nodes = _top_nodes(desk, roles)
    if not nodes:
        return None
    return {"coverages": [selectors.kept_coverage(node=n, today=desk.today) for n in nodes]}


def mine(*, actor, obj, can_write: bool) -> dict | None:
    """A party member's own households: how many, how many overdue, the follow-ups due."""
    links = list(selectors.my_contact_links(actor=actor)[:200])
    if not links:
        return None
    today = obj.today
    rows = [(link, selectors.days_since(link.last_visit_on, today)) for link in links]
    return {
        "count": len(links),
        "never": sum(1 for _, d in rows if d is None),
        "follow_ups": sum(len(link.household.open_follow_ups) for link in links),
        "oldest": rows[:3],
    }
