"""组织关系转接 pages: a member's relation moved out, a resident's moved in."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.web import handle_form
from xiangzhi.people.access import access_resident

from .. import forms_orglife as f
from .. import services
from ..access import access_party_member
from ..selectors import party_organisations
from ._common import form_page


def transfer_out(request, party_member_id: int):
    member = access_party_member(request.user, party_member_id, write=True)
    form = f.TransferOutForm(request.POST or None, initial={"transferred_on": timezone.localdate()})
    back = reverse("people:resident_detail", args=[member.resident_id])
    done = handle_form(
        request,
        form,
        lambda d: services.party_member_transfer_out(actor=request.user, member=member, **d),
        success_message=gettext("组织关系已转出"),
        success_url=back,
    )
    return done or form_page(
        request,
        form,
        title=gettext("组织关系转出 · %(name)s") % {"name": member.resident.name},
        cancel_url=back,
        nav="party_members",
        help=gettext(
            "转出后该党员离开花名册，所认岗位同时结束，联系的农户显示为未联系；历史记录保留。"
        ),
    )


def transfer_in(request, resident_id: int):
    resident = access_resident(request.user, resident_id, write=True)
    orgs = party_organisations(actor=request.user, resident=resident)
    form = f.TransferInForm(
        request.POST or None,
        organisations=orgs,
        initial={"transferred_on": timezone.localdate(), "organisation": orgs.last()},
    )
    back = reverse("people:resident_detail", args=[resident.pk])
    done = handle_form(
        request,
        form,
        lambda d: services.party_member_transfer_in(actor=request.user, resident=resident, **d),
        success_message=gettext("组织关系已转入"),
        success_url=back,
    )
    return done or form_page(
        request,
        form,
        title=gettext("组织关系转入 · %(name)s") % {"name": resident.name},
        cancel_url=back,
        nav="party_members",
    )
