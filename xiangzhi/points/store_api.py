"""API routes of the points store and the public lists (/api/v1/points/...): the shelf, the
redemptions (list and create, at a counter's app), and a node's board."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from xiangzhi.core.api import Page, refusal
from xiangzhi.grid.access import access_node
from xiangzhi.people.access import access_household

from .access import access_board
from .api import body_doc, read_body
from .selectors.board import parse_period, red_list
from .selectors.store import household_account, redemption_list, reward_list, shelf_for
from .services.store import redemption_create
from .services.totals import period_label

router = Router(tags=["points"])


class RewardOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    cost: int
    stock: int | None
    is_active: bool
    node_id: int


class RedemptionIn(Schema):
    reward_id: int
    household_id: int
    quantity: int = 1
    note: str = ""


class RedemptionOut(Schema):
    id: int
    reward_id: int
    household_id: int
    quantity: int
    points: int
    redeemed_on: dt.date
    balance_after: int = Field(..., alias="entry.balance_after")


class BoardRowOut(Schema):
    rank: int
    name: str
    score: int


class BoardOut(Schema):
    node_id: int
    period: str
    period_label: str
    rows: list[BoardRowOut]


@router.get("/rewards", response=list[RewardOut], summary="积分超市商品（按我的管辖范围）")
@paginate(Page)
def list_rewards(request, node_id: int | None = None, search: str = ""):
    node = access_node(request.user, node_id) if node_id else None
    return reward_list(actor=request.user, node=node, search=search)


@router.get("/redemptions", response=list[RedemptionOut], summary="积分兑换记录")
@paginate(Page)
def list_redemptions(request, node_id: int | None = None, search: str = ""):
    node = access_node(request.user, node_id) if node_id else None
    # A queryset, so that the page is cut in the database (a list would load every redemption).
    return redemption_list(actor=request.user, node=node, search=search).select_related("entry")


@router.post(
    "/redemptions",
    response={201: RedemptionOut},
    summary="办理积分兑换（村干部在积分超市柜台）",
    openapi_extra=body_doc(RedemptionIn),
)
def create_redemption(request):
    payload = read_body(request, RedemptionIn)
    household = access_household(request.user, payload.household_id)
    # The household's shelf: its village's items and those of the stores above it.
    reward = shelf_for(actor=request.user, household=household).filter(pk=payload.reward_id)
    reward = reward.first()
    if reward is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内"))
    account = household_account(actor=request.user, household=household)
    try:
        if account is None:
            raise ValidationError({"household_id": gettext("该户还没有积分，不能兑换")})
        redemption = redemption_create(
            actor=request.user,
            reward=reward,
            account=account,
            quantity=payload.quantity,
            note=payload.note,
        )
    except ValidationError as exc:
        raise refusal(exc, 422) from None
    return Status(201, redemption)


@router.get("/board/{node_id}", response=BoardOut, summary="积分公示栏（红榜）")
def get_board(request, node_id: int, period: str = "month"):
    node = access_board(request.user, node_id)
    key = parse_period(period)
    rows = red_list(node=node, period=key, limit=50)
    return {
        "node_id": node.pk,
        "period": key,
        "period_label": period_label(key),
        "rows": [{"rank": r.rank, "name": r.name, "score": r.score} for r in rows],
    }
