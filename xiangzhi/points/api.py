"""/api/v1/points/: rules, claims (record, review) and the ledger, through the same selectors,
access functions and services as the pages. The store adds its redemptions here."""

from __future__ import annotations

import datetime as dt
import functools

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from xiangzhi.core.api import Page, body_doc, refusal
from xiangzhi.core.api import read_body as core_read_body
from xiangzhi.people.access import access_household

from . import selectors
from .access import access_point_claim, access_point_rule
from .services.claims import claim_approve, claim_record, claim_reject

router = Router(tags=["points"])


class RuleOut(Schema):
    id: int
    node_id: int
    code: str
    title: str
    category: str
    category_label: str
    points: int
    evidence: str
    cap_points: int | None
    cap_period: str
    version: int
    is_active: bool


class ClaimOut(Schema):
    id: int
    rule_version_id: int
    household_id: int
    resident_id: int | None
    node_id: int
    points: int
    occurred_on: dt.date
    note: str
    channel: str
    status: str
    notice_until: dt.datetime | None


class ClaimIn(Schema):
    household_id: int
    rule_id: int
    occurred_on: dt.date
    note: str = ""


class ReviewIn(Schema):
    approve: bool
    note: str = ""


class EntryOut(Schema):
    id: int
    household_id: int
    amount: int
    balance_after: int
    reason: str
    source: str
    occurred_on: dt.date
    rule_version_id: int | None
    claim_id: int | None
    reversal_of_id: int | None


def refusals(view):
    """A service's ValidationError as a JSON 400 with its Chinese message (a PermissionDenied is
    the API's JSON 403 already: xiangzhi/api.py)."""

    @functools.wraps(view)
    def run(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            raise refusal(exc, 400) from None

    return run


# The body's fields as the 400 names them when they are missing or malformed.
FIELD_LABELS = {
    "household_id": _("户"),
    "rule_id": _("积分规则"),
    "occurred_on": _("发生日期"),
    "note": _("说明"),
    "approve": _("是否通过"),
    "reward_id": _("兑换商品"),
    "quantity": _("数量"),
}


def read_body(request: HttpRequest, schema: type[Schema]) -> Schema:
    """The request's JSON, with a Chinese 400 naming its missing or malformed fields."""
    return core_read_body(request, schema, labels=FIELD_LABELS)


@router.get("/rules", response=list[RuleOut], summary="积分规则（本镇与本村）")
@paginate(Page)
def list_rules(request: HttpRequest, search: str = "", category: str = ""):
    return selectors.rule_list(actor=request.user, search=search, category=category)


@router.get("/claims", response=list[ClaimOut], summary="积分申报（按我的管辖范围）")
@paginate(Page)
def list_claims(request: HttpRequest, status: str = "", search: str = ""):
    return selectors.claim_list(actor=request.user, status=status, search=search)


@router.get("/claims/{point_claim_id}", response=ClaimOut, summary="积分申报详情")
def get_claim(request: HttpRequest, point_claim_id: int):
    return access_point_claim(request.user, point_claim_id)


@router.post(
    "/claims",
    response={201: ClaimOut},
    summary="登记积分（网格员、村干部）",
    openapi_extra=body_doc(ClaimIn),
)
@refusals
def create_claim(request: HttpRequest):
    payload = read_body(request, ClaimIn)
    household = access_household(request.user, payload.household_id, write=True)
    rule = access_point_rule(request.user, payload.rule_id)
    claim = claim_record(
        actor=request.user,
        household=household,
        rule=rule,
        occurred_on=payload.occurred_on,
        note=payload.note,
    )
    return Status(201, claim)


@router.post(
    "/claims/{point_claim_id}/review",
    response=ClaimOut,
    summary="审核积分申报",
    openapi_extra=body_doc(ReviewIn),
)
@refusals
def review_claim(request: HttpRequest, point_claim_id: int):
    claim = access_point_claim(request.user, point_claim_id, write=True)
    payload = read_body(request, ReviewIn)
    if payload.approve:
        return claim_approve(actor=request.user, claim=claim, note=payload.note)
    return claim_reject(actor=request.user, claim=claim, reason=payload.note)


@router.get("/entries", response=list[EntryOut], summary="积分明细（按我的管辖范围）")
@paginate(Page)
def list_entries(request: HttpRequest, household_id: int | None = None):
    household = access_household(request.user, household_id) if household_id else None
    return selectors.entry_list(actor=request.user, household=household)
