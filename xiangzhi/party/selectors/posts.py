"""Reads of 设岗定责: the posts, who holds them, what they did, and who has neither office nor post."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from xiangzhi.core.roles import Role
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..models import PartyMember, Post, PostAssignment, PostEntry

# A member "with office" holds one of these roles in accounts (a cadre or field role bound to a
# node): the simple reading of 有职党员 this deployment keeps, with no flag to type in by hand.
OFFICE_ROLES = (
    Role.CHIEF_GRID_LEADER,
    Role.TOWNSHIP_STAFF,
    Role.VILLAGE_SECRETARY,
    Role.VILLAGE_CADRE,
    Role.GRID_WORKER,
    Role.GROUP_LEADER,
)


def _open_assignments(actor: Actor) -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=PostAssignment.objects.for_actor(actor)
        .filter(ended_on__isnull=True)
        .select_related("member__resident")
        .order_by("started_on", "pk"),
        to_attr="holders",
    )


def post_list(*, actor: Actor, node: GridNode | None = None) -> QuerySet[Post]:
    """The posts in scope with their current holders and how many entries they hold."""
    qs = Post.objects.for_actor(actor).select_related("node")
    if node is not None:
        qs = qs.filter(node__path__under=node.path)
    return (
        qs.annotate(entry_count=Count("assignments__entries"))
        .prefetch_related(_open_assignments(actor))
        .order_by("node__path", "-is_default", "pk")
    )


def post_assignments(*, actor: Actor, post: Post) -> QuerySet[PostAssignment]:
    """Everyone who held the post, the current holders first, with their entry counts."""
    return (
        PostAssignment.objects.for_actor(actor)
        .filter(post=post)
        .select_related("member__resident")
        .annotate(entry_count=Count("entries"))
        .order_by("-ended_on", "started_on", "pk")
    )


def post_entries(
    *, actor: Actor, post: Post | None = None, user: Actor | None = None
) -> QuerySet[PostEntry]:
    """履职记录 of a post (or of the member who is `user`), newest first."""
    qs = PostEntry.objects.for_actor(actor).select_related(
        "assignment__post", "assignment__member__resident"
    )
    if post is not None:
        qs = qs.filter(assignment__post=post)
    if user is not None:
        qs = qs.filter(assignment__member__resident__user=user)
    return qs.order_by("-done_on", "-pk")


def assignable_members(*, actor: Actor, post: Post) -> QuerySet[PartyMember]:
    """The village's members in the register who do not hold this post now."""
    holding = PostAssignment.objects.filter(post=post, ended_on__isnull=True).values("member_id")
    return (
        PartyMember.objects.for_actor(actor)
        .filter(
            resident__node__path__under=post.node.path,
            status=PartyMember.Status.ACTIVE,
            resident__status="active",
        )
        .exclude(pk__in=holding)
        .select_related("resident")
        .order_by("resident__name", "pk")
    )


def members_without_post(*, actor: Actor, node: GridNode | None = None) -> QuerySet[PartyMember]:
    """Members in the register with no office (OFFICE_ROLES) and no post held now."""
    holding = PostAssignment.objects.filter(ended_on__isnull=True).values("member_id")
    with_office = Q(resident__user__role_assignments__role__in=OFFICE_ROLES)
    qs = PartyMember.objects.for_actor(actor).filter(
        status=PartyMember.Status.ACTIVE, resident__status="active"
    )
    if node is not None:
        qs = qs.filter(resident__node__path__under=node.path)
    return (
        qs.exclude(pk__in=holding)
        .exclude(with_office)
        .select_related("resident__node", "organisation")
        .order_by("organisation__path", "resident__name", "pk")
    )


def my_assignments(*, actor: Actor) -> list[PostAssignment]:
    """The posts the logged-in member holds now."""
    return list(
        PostAssignment.objects.for_actor(actor)
        .filter(member__resident__user=actor, ended_on__isnull=True)
        .select_related("post", "member__resident")
        .order_by("started_on", "pk")
    )


def member_posts(*, actor: Actor, member: PartyMember) -> list[PostAssignment]:
    """The posts a member holds and held, with their entry counts."""
    return list(
        PostAssignment.objects.for_actor(actor)
        .filter(member=member)
        .select_related("post")
        .annotate(entry_count=Count("entries"))
        .order_by("-started_on", "-pk")
    )
