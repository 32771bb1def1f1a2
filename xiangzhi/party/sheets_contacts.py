"""The contact work's sheets: the link table (党员联系户表, export and import) and the visits
ledger (走访台账, export). core.sheets writes them as printable ledgers and audits them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from xiangzhi.core.crypto import last4_index
from xiangzhi.core.sheets import ExportSide, ImportSide, SheetKind
from xiangzhi.core.types import Actor
from xiangzhi.core.xlsx import Column
from xiangzhi.people.models import Household, Resident
from xiangzhi.people.selectors import households_numbered, number_not_unique

from . import selectors
from .actions import PartyAction
from .models import ContactLink, PartyMember
from .selectors.visits import hidden_member
from .services import contact_link_add
from .services.contacts import village_path

LINK_COLUMNS = (
    Column("seq", "序号"),
    Column("grid", "所属网格"),
    Column("number", "户编号"),
    Column("head", "户主"),
    Column("address", "家庭住址"),
    Column("member", "联系党员", ("党员姓名", "联系人")),
    Column("last4", "党员电话或身份证后四位", ("后四位", "尾号", "联系电话")),
    Column("role", "联系类型", ("主要/第二",)),
    Column("tag", "联系群体"),
    Column("started_on", "联系开始日期"),
    Column("last_visit_on", "最近走访日期"),
)

VISIT_COLUMNS = (
    Column("seq", "序号"),
    Column("grid", "所属网格"),
    Column("number", "户编号"),
    Column("head", "户主"),
    Column("visited_on", "走访日期"),
    Column("member", "走访党员"),
    Column("met", "见到的人"),
    Column("learned", "了解的情况"),
    Column("needs", "群众诉求"),
    Column("follow_up", "后续跟进"),
)

ROLE_WORDS = {
    "": ContactLink.Role.PRIMARY,
    "主要": ContactLink.Role.PRIMARY,
    "主要联系人": ContactLink.Role.PRIMARY,
    "primary": ContactLink.Role.PRIMARY,
    "第二": ContactLink.Role.SECOND,
    "第二联系人": ContactLink.Role.SECOND,
    "second": ContactLink.Role.SECOND,
}


def _household(actor: Actor, number: str, grid: str) -> Household:
    if not number:
        raise ValidationError({"number": gettext("请填写户编号")})
    found = households_numbered(actor=actor, number=number, grid=grid)
    if not found:
        raise ValidationError({"number": gettext("在您的管辖范围内找不到该户编号")})
    if len(found) > 1:
        raise ValidationError({"number": number_not_unique(number)})
    return found[0]


def _member(actor: Actor, household: Household, name: str, last4: str) -> PartyMember:
    """The village's member by name; the last four of their phone or ID tell namesakes apart."""
    if not name:
        raise ValidationError({"member": gettext("请填写联系党员姓名")})
    village = village_path(household.node)
    qs = PartyMember.objects.for_actor(actor).filter(
        resident__name=name,
        resident__status=Resident.Status.ACTIVE,
        resident__node__path__under=village,
        status=PartyMember.Status.ACTIVE,  # a member transferred out contacts no one
    )
    if last4:
        qs = qs.filter(resident__phone_last4=last4_index(last4, "phone")) | qs.filter(
            resident__id_number_last4=last4_index(last4.upper(), "id")
        )
    found = list(qs.select_related("resident__node")[:2])
    if not found:
        raise ValidationError({"member": gettext("本村没有这名党员（请核对姓名和后四位）")})
    if len(found) > 1:
        raise ValidationError({"last4": gettext("本村有同名党员，请填写其电话或身份证后四位")})
    return found[0]


def _hidden_member_link(household: Household, values: dict) -> str:
    """A row of an exported table whose member the user may not see (其他网格的党员): the link
    it shows is there, unchanged; it names no one to link anew."""
    role = ROLE_WORDS.get(str(values.get("role") or "").strip())
    if ContactLink.objects.filter(household=household, ended_on__isnull=True, role=role).exists():
        return "unchanged"
    raise ValidationError({"member": gettext("请填写联系党员的姓名")})


def link_write(*, actor: Actor, values: dict) -> str:
    """One row of the link table: the household by 户编号, the member by name (+ last four)."""
    household = _household(
        actor, str(values.get("number") or "").strip(), str(values.get("grid") or "")
    )
    if str(values.get("member") or "").strip() == hidden_member():
        return _hidden_member_link(household, values)
    member = _member(
        actor,
        household,
        str(values.get("member") or "").strip(),
        str(values.get("last4") or "").strip(),
    )
    role = ROLE_WORDS.get(str(values.get("role") or "").strip())
    if role is None:
        raise ValidationError({"role": gettext("联系类型只能填“主要”或“第二”")})
    if ContactLink.objects.filter(
        household=household, member=member, ended_on__isnull=True, role=role
    ).exists():
        return "unchanged"
    try:
        contact_link_add(actor=actor, household=household, member=member, role=role)
    except PermissionDenied as exc:
        raise ValidationError({"number": str(exc)}) from None
    return "created"


CONTACT_LINKS = SheetKind(
    key="contact_links",
    label="党员联系户表",
    columns=LINK_COLUMNS,
    imports=ImportSide(
        action=PartyAction.CONTACT_LINK_IMPORT,
        required=("number", "member"),
        write_row=link_write,
        hint="每行一户一名联系党员",
        help="按户编号找到农户，按姓名（同名时加电话或身份证后四位）找到本村党员；"
        "联系类型填“主要”或“第二”，不填为主要联系人。",
        nav="contacts",
    ),
    exports=ExportSide(
        action=PartyAction.CONTACT_LINK_EXPORT,
        records=selectors.link_list,
        rows=selectors.link_export_rows,
    ),
)

VISITS = SheetKind(
    key="visits",
    label="入户走访台账",
    columns=VISIT_COLUMNS,
    exports=ExportSide(
        action=PartyAction.VISIT_EXPORT,
        records=selectors.visit_list,
        rows=selectors.visit_export_rows,
    ),
)
