from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from xiangzhi.core.web import handle_form
from xiangzhi.people.access import access_resident

from .access import access_party_member
from .forms import PartyMemberForm
from .selectors import party_organisations
from .services import party_member_register as register_service
from .services import party_member_update


def _form_page(request, form, title: str, resident_id: int):
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": title,
            "nav": "residents",
            "cancel_url": reverse("people:resident_detail", args=[resident_id]),
        },
    )


def party_member_register(request, resident_id: int):
    resident = access_resident(request.user, resident_id, write=True)
    orgs = party_organisations(actor=request.user, resident=resident)
    form = PartyMemberForm(
        request.POST or None, organisations=orgs, initial={"organisation": orgs.last()}
    )
    done = handle_form(
        request,
        form,
        lambda d: register_service(actor=request.user, resident=resident, **d),
        success_message=gettext("已将%(name)s登记为党员") % {"name": resident.name},
        success_url=reverse("people:resident_detail", args=[resident.pk]),
    )
    return done or _form_page(request, form, f"登记党员 · {resident.name}", resident.pk)


def party_member_edit(request, party_member_id: int):
    member = access_party_member(request.user, party_member_id, write=True)
    orgs = party_organisations(actor=request.user, resident=member.resident)
    form = PartyMemberForm(
        request.POST or None,
        organisations=orgs,
        initial={
            "category": member.category,
            "joined_on": member.joined_on,
            "organisation": member.organisation,
        },
    )
    done = handle_form(
        request,
        form,
        lambda d: party_member_update(actor=request.user, member=member, **d),
        success_message=gettext("党员信息已保存"),
        success_url=reverse("people:resident_detail", args=[member.resident_id]),
    )
    return done or _form_page(
        request, form, f"修改党员信息 · {member.resident.name}", member.resident_id
    )
