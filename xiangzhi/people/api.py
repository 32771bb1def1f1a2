import datetime as dt

from ninja import Router, Schema
from ninja.pagination import paginate

from xiangzhi.core.api import Page
from xiangzhi.grid.access import access_node

from . import selectors
from .access import access_household, access_resident
from .services import resident_number_search

router = Router(tags=["people"])


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date | None
    id_number_masked: str
    phone_masked: str
    relation: str
    status: str
    household_id: int | None
    node_id: int


class HouseholdOut(Schema):
    id: int
    number: str
    address: str
    status: str
    node_id: int
    head_id: int | None
    is_central_household: bool


class HouseholdDetailOut(HouseholdOut):
    members: list[ResidentOut]
    tags: list[str]


@router.get("/households", response=list[HouseholdOut], summary="户列表（按我的管辖范围）")
@paginate(Page)
def list_households(request, node_id: int | None = None, search: str = "", tag: str = ""):
    node = access_node(request.user, node_id) if node_id else None
    resident_number_search(actor=request.user, search=search)
    return selectors.household_list(actor=request.user, node=node, search=search, tag=tag)


@router.get("/households/{household_id}", response=HouseholdDetailOut, summary="户详情")
def get_household(request, household_id: int):
    household = access_household(request.user, household_id)
    detail = selectors.household_detail(actor=request.user, household=household)
    out = HouseholdOut.from_orm(household).dict()
    out["members"] = detail["members"]
    out["tags"] = [t.code for t in detail["tags"]]
    return out


@router.get("/residents", response=list[ResidentOut], summary="居民检索（姓名、拼音、首字母）")
@paginate(Page)
def list_residents(request, search: str = "", node_id: int | None = None):
    node = access_node(request.user, node_id) if node_id else None
    resident_number_search(actor=request.user, search=search)
    return selectors.resident_list(actor=request.user, node=node, search=search)


@router.get("/residents/{resident_id}", response=ResidentOut, summary="居民详情（个人信息脱敏）")
def get_resident(request, resident_id: int):
    return access_resident(request.user, resident_id)
