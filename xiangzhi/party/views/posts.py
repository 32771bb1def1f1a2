"""设岗定责 pages: the catalogue, a post with its holders and entries, the members with neither
office nor post, and a member's own page (我的岗位)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import handle_form, paginate, querystring_without_page
from xiangzhi.grid.access import access_node

from .. import forms_orglife as f
from .. import services
from ..access import access_post, access_post_assignment
from ..selectors import (
    assignable_members,
    member_attendance,
    members_without_post,
    my_assignments,
    post_assignments,
    post_entries,
    post_list,
)
from ..selectors.meetings import meeting_organisations
from ..selectors.members import own_party_member
from ._common import form_page, node_filter, require_writer


@require_GET
def post_catalogue(request):
    """The posts of the villages in scope, and who holds each now."""
    node = node_filter(request)
    villages = meeting_organisations(actor=request.user, node=node).filter(level=2)
    return render(
        request,
        "party/orglife/post_list.html",
        {
            "posts": post_list(actor=request.user, node=node),
            "node": node,
            "villages": villages,
            "can_write": scope_for(request.user).writes_anywhere,
            "nav": "party_posts",
        },
    )


def post_create(request):
    require_writer(request)
    villages = meeting_organisations(actor=request.user)
    form = f.PostForm(request.POST or None, villages=villages, initial={"node": villages.first()})
    done = handle_form(
        request,
        form,
        lambda d: services.post_create(actor=request.user, **d),
        success_message=gettext("岗位已新增"),
        success_url=lambda post: reverse("party:post_detail", args=[post.pk]),
    )
    return done or form_page(
        request,
        form,
        title=gettext("新增岗位"),
        cancel_url=reverse("party:post_catalogue"),
        nav="party_posts",
    )


@require_POST
def post_defaults(request):
    """Add the default posts to a village (a button on the catalogue)."""
    require_writer(request)
    village = access_node(request.user, request.POST.get("node", ""), write=True)
    added = services.post_defaults_add(actor=request.user, node=village)
    messages.success(request, gettext("已添加%(n)d个默认岗位") % {"n": added})
    return redirect(reverse("party:post_catalogue") + f"?node={village.pk}")


def post_detail(request, post_id: int):
    """A post: its duty, who holds and held it, the entries; the form to assign a member."""
    post = access_post(request.user, post_id)
    can_write = scope_for(request.user).can_write_path(post.node.path)
    form = f.AssignForm(
        request.POST or None,
        members=assignable_members(actor=request.user, post=post),
        initial={"started_on": timezone.localdate()},
    )
    if request.method == "POST":
        post = access_post(request.user, post_id, write=True)
    done = handle_form(
        request,
        form,
        lambda d: services.post_assign(actor=request.user, post=post, **d),
        success_message=gettext("已安排认岗"),
        success_url=reverse("party:post_detail", args=[post.pk]),
    )
    page = paginate(request, post_entries(actor=request.user, post=post), per_page=20)
    return done or render(
        request,
        "party/orglife/post_detail.html",
        {
            "post": post,
            "assignments": post_assignments(actor=request.user, post=post),
            "page_obj": page,
            "form": form,
            "end_form": f.EndForm(initial={"ended_on": timezone.localdate()}),
            "can_write": can_write,
            "nav": "party_posts",
            "querystring_prefix": querystring_without_page(request),
        },
    )


@require_POST
def post_assignment_end(request, post_assignment_id: int):
    assignment = access_post_assignment(request.user, post_assignment_id, write=True)
    form = f.EndForm(request.POST)
    done = handle_form(
        request,
        form,
        lambda d: services.post_assignment_end(actor=request.user, assignment=assignment, **d),
        success_message=gettext("已离岗"),
        success_url=reverse("party:post_detail", args=[assignment.post_id]),
    )
    return done or form_page(
        request,
        form,
        title=gettext("离岗"),
        cancel_url=reverse("party:post_detail", args=[assignment.post_id]),
        nav="party_posts",
    )


def post_entry_create(request, post_assignment_id: int):
    """A cadre records what a member did on their post (members use their own page)."""
    assignment = access_post_assignment(request.user, post_assignment_id, write=True)
    form = f.EntryForm(request.POST or None, initial={"done_on": timezone.localdate()})
    done = handle_form(
        request,
        form,
        lambda d: services.post_entry_record(actor=request.user, assignment=assignment, **d),
        success_message=gettext("履职情况已记录"),
        success_url=reverse("party:post_detail", args=[assignment.post_id]),
    )
    return done or form_page(
        request,
        form,
        title=gettext("记录履职情况 · %(name)s") % {"name": assignment.member.resident.name},
        cancel_url=reverse("party:post_detail", args=[assignment.post_id]),
        nav="party_posts",
    )


@require_GET
def members_without_posts(request):
    """有职无岗之外：members with neither office nor post, to be given one."""
    node = node_filter(request)
    page = paginate(request, members_without_post(actor=request.user, node=node))
    return render(
        request,
        "party/orglife/members_without_post.html",
        {
            "page_obj": page,
            "node": node,
            "nav": "party_posts",
            "querystring_prefix": querystring_without_page(request),
        },
    )


def my_party_work(request):
    """我的党务: a member's posts and what they did (with the form to add it), and their
    attendance; a phone page, large in elder mode."""
    member = own_party_member(actor=request.user)
    assignments = my_assignments(actor=request.user) if member else []
    form = f.MyEntryForm(
        request.POST or None,
        assignments=assignments,
        initial={"done_on": timezone.localdate()},
    )
    mine = {str(a.pk): a for a in assignments}

    def record(d):
        return services.post_entry_record(
            actor=request.user,
            assignment=mine[d["post_assignment"]],
            done_on=d["done_on"],
            content=d["content"],
        )

    done = handle_form(
        request,
        form,
        record,
        success_message=gettext("履职情况已记录"),
        success_url=reverse("party:my_party_work"),
    )
    return done or render(
        request,
        "party/orglife/mine.html",
        {
            "member": member,
            "assignments": assignments,
            "form": form,
            "entries": post_entries(actor=request.user, user=request.user)[:10] if member else [],
            "attendance": member_attendance(actor=request.user, member=member) if member else None,
            "nav": "party_mine",
        },
    )
