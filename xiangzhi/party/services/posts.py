"""设岗定责: the village's posts, members taking and leaving them, and what they did there."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from xiangzhi.core.audit import audit_record
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..actions import OrgLifeAction
from ..models import PartyMember, Post, PostAssignment, PostEntry
from ..models.posts import DEFAULT_POSTS
from ._checks import past_day, require_write, text

VILLAGE_LEVEL = 2


def _village_check(actor: Actor, node: GridNode, *, levels: tuple[int, ...] = (2, 3, 4)) -> None:
    """A village keeps the catalogue; a branch or hamlet group may add a post of its own."""
    require_write(actor=actor, path=node.path, message=gettext("您不能管理该村的岗位"))
    if node.level not in levels:
        raise ValidationError(
            {"node": gettext("岗位由村（社区）设立，党支部、屋场党小组也可设本组织的岗位")}
        )


@transaction.atomic
def post_create(*, actor: Actor, node: GridNode, name: str, duty: str = "") -> Post:
    _village_check(actor, node)
    name = text(name, "name", gettext("岗位名称"), limit=40)
    duty = text(duty, "duty", gettext("岗位职责"), required=False, limit=500)
    if Post.objects.filter(node=node, name=name).exists():
        raise ValidationError({"name": gettext("本村已有同名岗位")})
    post = Post.objects.create(node=node, name=name, duty=duty)
    audit_record(actor=actor, action=OrgLifeAction.POST_CREATE, obj=post, changes={"name": name})
    return post


@transaction.atomic
def post_defaults_add(*, actor: Actor, node: GridNode) -> int:
    """Add the default posts (政策宣传岗 ...) the village does not have yet; the number added."""
    _village_check(actor, node, levels=(VILLAGE_LEVEL,))
    have = set(Post.objects.filter(node=node).values_list("name", flat=True))
    new = [
        Post(node=node, name=name, duty=duty, is_default=True)
        for name, duty in DEFAULT_POSTS
        if name not in have
    ]
    Post.objects.bulk_create(new)
    if new:
        audit_record(
            actor=actor,
            action=OrgLifeAction.POST_DEFAULTS_ADD,
            node=node,
            changes={"posts": [p.name for p in new]},
        )
    return len(new)


@transaction.atomic
def post_assign(
    *,
    actor: Actor,
    post: Post,
    member: PartyMember,
    started_on: dt.date | None,
    pledge: str = "",
) -> PostAssignment:
    require_write(actor=actor, path=post.node.path, message=gettext("您不能为该村安排岗位"))
    started_on = past_day(started_on, "started_on", gettext("认岗日期"))
    pledge = text(pledge, "pledge", gettext("认岗承诺"), required=False, limit=200)
    if not member.resident.node.path.startswith(post.node.path):
        raise ValidationError({"member": gettext("只能安排本村的党员认岗")})
    if member.status != PartyMember.Status.ACTIVE:
        raise ValidationError({"member": gettext("该党员的组织关系已转出")})
    try:
        with transaction.atomic():
            assignment = PostAssignment.objects.create(
                post=post, member=member, started_on=started_on, pledge=pledge
            )
    except IntegrityError:
        raise ValidationError({"member": gettext("该党员已在这个岗位上")}) from None
    audit_record(
        actor=actor,
        action=OrgLifeAction.POST_ASSIGN,
        obj=assignment,
        changes={"post": post.pk, "member": member.pk, "started_on": started_on},
    )
    return assignment


@transaction.atomic
def post_assignment_end(
    *, actor: Actor, assignment: PostAssignment, ended_on: dt.date | None
) -> PostAssignment:
    require_write(
        actor=actor, path=assignment.post.node.path, message=gettext("您不能调整该村的岗位")
    )
    ended_on = past_day(ended_on, "ended_on", gettext("离岗日期"))
    locked = PostAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.ended_on is not None:
        raise ValidationError(gettext("该党员已经离岗"))
    if ended_on < locked.started_on:
        raise ValidationError({"ended_on": gettext("离岗日期不能早于认岗日期")})
    locked.ended_on = ended_on
    locked.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action=OrgLifeAction.POST_ASSIGNMENT_END,
        obj=locked,
        changes={"ended_on": ended_on},
    )
    return locked


def post_assignments_end_for_member(
    *, actor: Actor, member: PartyMember, ended_on: dt.date, reason: str
) -> int:
    """End every post a member holds once they died or moved away (the registry's hook, in its
    transaction), on the day of the change (not before the day they took a post); what they did
    on it stays. Return how many ended."""
    held = PostAssignment.objects.select_for_update().filter(member=member, ended_on__isnull=True)
    ended = 0
    for assignment in held.select_related("post__node").order_by("pk"):
        assignment.ended_on = max(ended_on, assignment.started_on)
        assignment.save(update_fields=["ended_on"])
        audit_record(
            actor=actor,
            action=OrgLifeAction.POST_ASSIGNMENT_END,
            obj=assignment,
            changes={"ended_on": assignment.ended_on, "reason": reason},
        )
        ended += 1
    return ended


def may_record_entry(*, actor: Actor, assignment: PostAssignment) -> bool:
    """The member who holds the post records their own work; a cadre of the village may too."""
    own = assignment.member.resident.user_id is not None and (
        assignment.member.resident.user_id == getattr(actor, "pk", None)
    )
    return own or scope_for(actor).can_write_path(assignment.post.node.path)


@transaction.atomic
def post_entry_record(
    *, actor: Actor, assignment: PostAssignment, done_on: dt.date | None, content: str
) -> PostEntry:
    """A member's 履职记录 on a post they hold."""
    if not may_record_entry(actor=actor, assignment=assignment):
        raise PermissionDenied(gettext("只有认岗党员本人或村干部可以记录履职情况"))
    done_on = past_day(done_on, "done_on", gettext("日期"))
    content = text(content, "content", gettext("履职内容"), limit=1000)
    if assignment.ended_on is not None and done_on > assignment.ended_on:
        raise ValidationError({"done_on": gettext("该党员已离岗，日期不能晚于离岗日期")})
    if done_on < assignment.started_on:
        raise ValidationError({"done_on": gettext("日期不能早于认岗日期")})
    entry = PostEntry.objects.create(
        assignment=assignment, done_on=done_on, content=content, recorded_by=actor
    )
    audit_record(
        actor=actor,
        action=OrgLifeAction.POST_ENTRY_RECORD,
        obj=entry,
        changes={"done_on": done_on, "content": content},
    )
    return entry
