from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from xiangzhi.core.web import apply_errors
from xiangzhi.grid.models import GridNode
from xiangzhi.people.access import access_resident

from .access import access_party_member
from .forms import PartyMemberForm
from .services import party_member_register as register_service
from .services import party_member_update


def _organisations(actor, resident):
    """The party organisations above a resident's home node that the actor may see."""
    paths = [*resident.node.ancestor_paths(), resident.node.path]
    return GridNode.objects.for_actor(actor).filter(path__in=paths, level__lte=4).order_by("path")


def party_member_register(request, resident_id: int):
    resident = access_resident(request.user, resident_id, write=True)
    orgs = _organisations(request.user, resident)
    form = PartyMemberForm(
        request.POST or None, organisations=orgs, initial={"organisation": orgs.last()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            register_service(actor=request.user, resident=resident, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已将{resident.name}登记为党员")
            return redirect("people:resident_detail", resident_id=resident.pk)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": f"登记党员 · {resident.name}",
            "nav": "residents",
            "cancel_url": reverse("people:resident_detail", args=[resident.pk]),
        },
    )


def party_member_edit(request, party_member_id: int):
    member = access_party_member(request.user, party_member_id, write=True)
    orgs = _organisations(request.user, member.resident)
    form = PartyMemberForm(
        request.POST or None,
        organisations=orgs,
        initial={
            "category": member.category,
            "joined_on": member.joined_on,
            "organisation": member.organisation,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            party_member_update(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "党员信息已保存")
            return redirect("people:resident_detail", resident_id=member.resident_id)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": f"修改党员信息 · {member.resident.name}",
            "nav": "residents",
            "cancel_url": reverse("people:resident_detail", args=[member.resident_id]),
        },
    )
