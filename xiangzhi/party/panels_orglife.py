"""Panels of organisational life on lower apps' pages: a member's record on the resident's page,
and on the workbench a member's own posts and meetings, a cadre's overdue branches."""

from __future__ import annotations

from xiangzhi.core.types import Actor
from xiangzhi.core.workbench import Desk

from .selectors import (
    member_attendance,
    member_transfers,
    my_assignments,
    overdue_branches,
    party_member_of,
)
from .selectors.posts import member_posts


def orglife_panel(*, actor: Actor, obj, can_write: bool) -> dict | None:
    """A resident's 组织生活: attendance, posts and transfers, with the transfer buttons."""
    member = party_member_of(actor=actor, resident=obj)
    if member is None:
        return {"member": None, "can_write": can_write} if can_write else None
    return {
        "member": member,
        "attendance": member_attendance(actor=actor, member=member, limit=5),
        "posts": member_posts(actor=actor, member=member),
        "transfers": list(member_transfers(actor=actor, member=member)),
        "can_write": can_write,
    }


def workbench_panel(*, actor: Actor, obj: Desk, can_write: bool) -> dict | None:
    """A member's posts (with the way to record what they did); a cadre's overdue branches."""
    out: dict = {}
    if obj.in_household:
        posts = my_assignments(actor=actor)
        if posts:
            out["posts"] = posts
    if obj.leads:
        from xiangzhi.grid.selectors import node_roots

        overdue = []
        for root in node_roots(actor=actor)[:3]:
            overdue += overdue_branches(actor=actor, node=root, today=obj.today)
        out["overdue"] = overdue
    return out or None
