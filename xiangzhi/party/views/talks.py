"""屋场恳谈会 pages: the talks, recording one, a talk with its opinions and their outcomes, and
the open opinions of the villages in scope."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xiangzhi.core.scope import scope_for
from xiangzhi.core.web import handle_form, paginate, querystring_without_page

from .. import forms_orglife as f
from .. import services
from ..access import access_hamlet_talk, access_talk_opinion
from ..selectors import (
    hamlet_talk_list,
    meeting_organisations,
    open_opinions,
    talk_attendees,
    talk_opinions,
    village_names,
)
from ._common import form_page, node_filter, require_writer


@require_GET
def talk_index(request):
    node = node_filter(request)
    return render(
        request,
        "party/orglife/talk_list.html",
        {
            "page_obj": paginate(request, hamlet_talk_list(actor=request.user, node=node)),
            "node": node,
            "can_write": scope_for(request.user).writes_anywhere,
            "nav": "party_talks",
            "querystring_prefix": querystring_without_page(request),
        },
    )


def talk_create(request):
    require_writer(request)
    nodes = meeting_organisations(actor=request.user)
    form = f.TalkForm(request.POST or None, nodes=nodes, initial={"held_on": timezone.localdate()})
    done = handle_form(
        request,
        form,
        lambda d: services.hamlet_talk_record(actor=request.user, **d),
        success_message=gettext("恳谈会已记录，请继续记录听到的意见"),
        success_url=lambda talk: reverse("party:talk_detail", args=[talk.pk]),
    )
    return done or form_page(
        request,
        form,
        title=gettext("记录屋场恳谈会"),
        cancel_url=reverse("party:talk_index"),
        nav="party_talks",
    )


def talk_detail(request, hamlet_talk_id: int):
    """A talk: who came, the topics, the opinions and their outcomes; the form to add one."""
    talk = access_hamlet_talk(request.user, hamlet_talk_id, write=request.method == "POST")
    form = f.OpinionForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda d: services.opinion_add(actor=request.user, talk=talk, **d),
        success_message=gettext("意见已记录"),
        success_url=reverse("party:talk_detail", args=[talk.pk]),
    )
    return done or render(
        request,
        "party/orglife/talk_detail.html",
        {
            "talk": talk,
            "attendees": talk_attendees(actor=request.user, talk=talk),
            "opinions": talk_opinions(actor=request.user, talk=talk),
            "form": form,
            "resolve_form": f.OpinionResolveForm(),
            "can_write": scope_for(request.user).can_write_path(talk.node.path),
            "nav": "party_talks",
        },
    )


@require_POST
def opinion_resolve(request, talk_opinion_id: int):
    opinion = access_talk_opinion(request.user, talk_opinion_id, write=True)
    form = f.OpinionResolveForm(request.POST)
    done = handle_form(
        request,
        form,
        lambda d: services.opinion_resolve(actor=request.user, opinion=opinion, **d),
        success_message=gettext("意见处理结果已保存"),
        success_url=reverse("party:talk_detail", args=[opinion.talk_id]),
    )
    return done or form_page(
        request,
        form,
        title=gettext("处理意见"),
        cancel_url=reverse("party:talk_detail", args=[opinion.talk_id]),
        nav="party_talks",
        help=opinion.content,
    )


def opinion_take(request, talk_opinion_id: int):
    """A handed-on opinion (待转办) is recorded as taken over: a village matter, or a need some
    office took (an appeal made of it is taken over by the appeals page itself)."""
    opinion = access_talk_opinion(request.user, talk_opinion_id, write=True)
    form = f.OpinionTakeForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda d: services.opinion_take(actor=request.user, opinion=opinion, by=d["by"]),
        success_message=gettext("已登记承接，该意见办结"),
        success_url=reverse("party:talk_detail", args=[opinion.talk_id]),
    )
    return done or form_page(
        request,
        form,
        title=gettext("登记意见的承接"),
        cancel_url=reverse("party:talk_detail", args=[opinion.talk_id]),
        nav="party_talks",
        help=opinion.content,
    )


@require_GET
def opinion_open_list(request):
    """The opinions still open (no outcome yet, or handed on and not yet taken over), by village."""
    node = node_filter(request)
    page = paginate(request, open_opinions(actor=request.user, node=node))
    villages = village_names(actor=request.user)
    rows = [
        (o, villages.get(o.talk.node.ancestor_path_at(2), o.talk.node.name))
        for o in page.object_list
    ]
    return render(
        request,
        "party/orglife/opinion_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "node": node,
            "nav": "party_talks",
            "querystring_prefix": querystring_without_page(request),
        },
    )
