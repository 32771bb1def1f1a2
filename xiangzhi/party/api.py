"""The party app's JSON API: contact links and visits, so a mobile client does what the pages
do, through the same selectors, access functions and services."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.pagination import paginate

from xiangzhi.core.api import Page, body_doc, read_body, refusal
from xiangzhi.grid.access import access_node
from xiangzhi.people.access import access_household

from . import selectors
from .access import (
    access_contact_link,
    access_party_member,
    access_visit,
    access_visit_photo,
    access_visited_household,
)
from .selectors.visits import member_name, with_member_visible
from .services import contact_link_add, contact_link_end, visit_photos_add, visit_record

router = Router(tags=["party"])


class LinkOut(Schema):
    id: int
    household_id: int
    member_id: int
    member_name: str
    role: str
    started_on: dt.date
    last_visit_on: dt.date | None

    @staticmethod
    def resolve_member_name(obj) -> str:
        return member_name(obj)


class LinkIn(Schema):
    household_id: int
    member_id: int
    role: str = "primary"


class LinkEndIn(Schema):
    reason: str


class NeedOut(Schema):
    id: int
    text: str
    status: str


class PhotoOut(Schema):
    id: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("api:party_visit_photo", args=[obj.visit_id, obj.pk])


class VisitOut(Schema):
    id: int
    household_id: int
    member_id: int | None
    visited_on: dt.date
    met: str
    learned: str
    follow_up: str
    needs: list[NeedOut]
    photos: list[PhotoOut]

    @staticmethod
    def resolve_needs(obj) -> list:
        return list(obj.needs.all())

    @staticmethod
    def resolve_photos(obj) -> list:
        return list(obj.photos.all())


class VisitIn(Schema):
    visited_on: dt.date
    met: str
    learned: str
    needs: list[str] = []
    follow_up: str = ""


@router.get("/contact-links", response=list[LinkOut], summary="党员联系户（按我的管辖范围）")
@paginate(Page)
def list_links(request, node_id: int | None = None):
    node = access_node(request.user, node_id) if node_id else None
    return selectors.link_list(actor=request.user, node=node)


@router.get("/contact-links/mine", response=list[LinkOut], summary="我的联系户")
def my_links(request):
    links = selectors.my_contact_links(actor=request.user).select_related("member__resident")
    return list(with_member_visible(links, actor=request.user))


@router.post(
    "/contact-links",
    response={201: LinkOut},
    summary="指定联系党员",
    openapi_extra=body_doc(LinkIn),
)
def add_link(request):
    payload = read_body(
        request, LinkIn, labels=LABELS, status=422, message=gettext("联系户内容有误：%(fields)s")
    )
    try:
        household = access_household(request.user, payload.household_id, write=True)
        member = access_party_member(request.user, payload.member_id)
        link = contact_link_add(
            actor=request.user, household=household, member=member, role=payload.role
        )
    except ValidationError as exc:
        raise refusal(exc, 422) from None
    link.member_visible = True  # access_party_member found the member in the actor's scope
    return 201, link


@router.post(
    "/contact-links/{contact_link_id}/end",
    response={200: LinkOut},
    summary="结束党员联系户",
    openapi_extra=body_doc(LinkEndIn),
)
def end_link(request, contact_link_id: int):
    link = access_contact_link(request.user, contact_link_id, write=True)
    payload = read_body(
        request, LinkEndIn, labels=LABELS, status=422, message=gettext("请写明%(fields)s")
    )
    try:
        link = contact_link_end(actor=request.user, link=link, reason=payload.reason)
    except ValidationError as exc:
        raise refusal(exc, 422) from None
    link.member_visible = True  # access_contact_link found the link in the actor's scope
    return link


@router.get("/households/{household_id}/visits", response=list[VisitOut], summary="户的走访记录")
@paginate(Page)
def list_visits(request, household_id: int):
    """The household's ledger: to those in its scope (read-only roles too) and its contacts."""
    household = access_visited_household(request.user, household_id, write=False)
    return selectors.household_visits(actor=request.user, household=household)


# The bodies' fields as a refusal names them.
LABELS = {
    "visited_on": _("走访日期"),
    "met": _("见到的人"),
    "learned": _("了解的情况"),
    "needs": _("群众诉求"),
    "follow_up": _("后续跟进"),
    "reason": _("结束原因"),
    "household_id": _("户"),
    "member_id": _("联系党员"),
    "role": _("联系类型"),
}


def _visit_in(request) -> VisitIn:
    """The body, read after the household's access check: a stranger learns nothing from how a
    body is refused."""
    message = gettext("走访内容有误：%(fields)s")
    return read_body(request, VisitIn, labels=LABELS, status=422, message=message)


@router.post(
    "/households/{household_id}/visits",
    response={201: VisitOut},
    summary="记录走访",
    openapi_extra=body_doc(VisitIn),
)
def add_visit(request, household_id: int):
    household = access_visited_household(request.user, household_id)
    payload = _visit_in(request)
    try:
        visit = visit_record(actor=request.user, household=household, **payload.dict())
    except ValidationError as exc:
        raise refusal(exc, 422) from None
    visit.member_visible = True  # the actor's own visit
    return 201, visit


@router.post(
    "/visits/{visit_id}/photos",
    response={201: list[PhotoOut]},
    summary="补传走访照片",
    description="multipart/form-data，字段 photos 可重复（每次走访最多4张，JPG或PNG，每张不超过5MB）；"
    "由记录走访的本人或本村干部在两个月内补传。",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "photos": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                        "required": ["photos"],
                    }
                }
            },
            "required": True,
        }
    },
)
def add_visit_photos(request, visit_id: int):
    try:
        visit = access_visit(request.user, visit_id)
        photos = visit_photos_add(
            actor=request.user, visit=visit, photos=request.FILES.getlist("photos")
        )
    except ValidationError as exc:
        raise refusal(exc, 422) from None
    return 201, photos


@router.get(
    "/visits/{visit_id}/photos/{visit_photo_id}",
    url_name="party_visit_photo",
    summary="走访照片",
    response={200: None},
)
def visit_photo(request, visit_id: int, visit_photo_id: int):
    photo = access_visit_photo(request.user, visit_id, visit_photo_id)
    return FileResponse(photo.file.open("rb"))
