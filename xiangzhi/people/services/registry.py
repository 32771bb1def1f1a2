"""Every write on the registry: households, residents and their changes (人口变动)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xiangzhi.core.audit import audit_record, diff, snapshot
from xiangzhi.core.crypto import blind_index, mask_id_number, mask_phone
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.core.validators import normalize_phone, normalize_text, parse_citizen_id
from xiangzhi.core.xlsx import FirstOfMonth, MonthOnly
from xiangzhi.grid.models import GridNode

from ..actions import PeopleAction
from ..models import Household, HouseholdChange, Resident, Tag
from ..pinyin import name_pinyin
from ..relations import relations_after_head_change

RESIDENT_FIELDS = [
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "id_number",
    "phone",
    "relation",
    "note",
]
HOUSEHOLD_FIELDS = ["number", "address", "is_central_household", "note"]
# Enum .values builds a new list on every access; resident_clean runs once per imported row.
GENDERS = frozenset(Resident.Gender.values)
RELATIONS = frozenset(Resident.Relation.values)
HEAD = Resident.Relation.HEAD
# The 56 ethnic groups as often written without 族 (汉, 回, 土家).
ETHNIC_GROUPS = frozenset(
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split()
)


@dataclass
class ResidentData:
    name: str
    gender: str = ""
    birth_date: dt.date | None = None
    id_number: str = ""
    phone: str = ""
    relation: str = Resident.Relation.OTHER
    ethnicity: str = "汉族"
    note: str = ""
    tags: list[str] = field(default_factory=list)


def same_month(given: dt.date | None, from_id: dt.date) -> bool:
    """A birth date known to the month (出生年月), or the first of a month from a sheet's date
    cell (a cell formatted yyyy年m月 holds the 1st), that agrees with the ID's: the ID gives the
    day. A date typed on a form is taken as typed."""
    if isinstance(given, MonthOnly):
        return given.year == from_id.year and from_id.month in given.months
    return isinstance(given, FirstOfMonth) and (given.year, given.month) == (
        from_id.year,
        from_id.month,
    )


def _number_taken(number: str, node: GridNode, exclude_pk: int | None = None) -> bool:
    """Whether another household of the node's village has this 户编号 (in anyone's scope)."""
    if not number:
        return False
    qs = Household.objects.filter(number=number, node__path__under=node.ancestor_path_at(2))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _check_write(actor: Actor, node: GridNode) -> None:
    if not scope_for(actor).can_write_path(node.path):
        raise PermissionDenied("您对该网格只有查看权限")


def resident_clean(data: ResidentData, *, today: dt.date | None = None) -> dict[str, str]:
    """Normalise a resident's fields in place and return their errors, without the database."""
    errors: dict[str, str] = {}
    data.name = normalize_text(data.name)
    if not data.name:
        errors["name"] = "请填写姓名"
    elif len(data.name) > 50:
        errors["name"] = "姓名不能超过50个字"
    if data.id_number:
        try:
            cid = parse_citizen_id(data.id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
        else:
            data.id_number = cid.number
            if same_month(data.birth_date, cid.birth_date):
                data.birth_date = cid.birth_date
            if data.birth_date and data.birth_date != cid.birth_date:
                shown = (
                    data.birth_date.typed
                    if isinstance(data.birth_date, MonthOnly)
                    else f"{data.birth_date:%Y-%m-%d}"
                )
                errors["birth_date"] = (
                    f"出生日期 {shown} 与身份证号中的 {cid.birth_date:%Y-%m-%d} 不一致"
                )
            if data.gender and data.gender != cid.gender:
                errors["gender"] = "性别与身份证号不一致(第17位奇数为男,偶数为女)"
            data.birth_date = data.birth_date or cid.birth_date
            data.gender = data.gender or cid.gender
    if isinstance(data.birth_date, MonthOnly):
        errors.setdefault(
            "birth_date",
            f"出生日期只写到了月({data.birth_date.typed}),请写完整日期或填写身份证号",
        )
    if not data.gender:
        if "id_number" not in errors:  # a wrong ID is the one error: its gender would follow
            errors.setdefault("gender", "请选择性别")
    elif data.gender not in GENDERS:
        errors["gender"] = "性别只能是男或女"
    if data.birth_date and data.birth_date > (today or timezone.localdate()):
        errors["birth_date"] = "出生日期不能晚于今天"
    if data.phone:
        try:
            data.phone = normalize_phone(data.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if data.relation not in RELATIONS:
        errors["relation"] = "与户主关系无效"
    data.ethnicity = normalize_text(data.ethnicity)
    if data.ethnicity in ETHNIC_GROUPS:  # 汉 -> 汉族: one spelling, so that lists group alike
        data.ethnicity += "族"
    if len(data.ethnicity) > 20:
        errors["ethnicity"] = "民族不能超过20个字"
    if len(data.note or "") > 200:
        errors["note"] = "备注不能超过200个字"
    return errors


def resident_validate(data: ResidentData, *, exclude_pk: int | None = None) -> ResidentData:
    """Normalise and check a resident's fields; raise ValidationError with Chinese messages."""
    errors = resident_clean(data)
    if data.id_number and "id_number" not in errors:
        dup = Resident.objects.filter(id_number_index=blind_index(data.id_number, "id"))
        if exclude_pk:
            dup = dup.exclude(pk=exclude_pk)
        if dup.exists():
            errors["id_number"] = "该身份证号已登记在其他居民名下"
    known = set(Tag.objects.filter(code__in=data.tags).values_list("code", flat=True))
    unknown = set(data.tags) - known
    if unknown:
        errors["tags"] = "未知的标签:" + "、".join(sorted(unknown))
    if errors:
        raise ValidationError(errors)
    return data


def resident_build(household: Household, data: ResidentData) -> Resident:
    """An unsaved resident of a household from validated data (forms and imports alike)."""
    return Resident(
        household=household,
        node=household.node,
        name=data.name,
        gender=data.gender,
        birth_date=data.birth_date,
        id_number=data.id_number,
        phone=data.phone,
        relation=data.relation or Resident.Relation.OTHER,
        ethnicity=data.ethnicity or "",
        note=data.note,
    )


# The columns of a new resident written in bulk (imports); resident_row gives their values.
RESIDENT_ROW_COLUMNS = (
    "household_id",
    "node_id",
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "birth_date",
    "ethnicity",
    "id_number",
    "id_number_index",
    "phone",
    "phone_index",
    "id_number_mask",
    "phone_mask",
    "relation",
    "status",
    "note",
    "is_synthetic",
    "created_at",
    "updated_at",
)


def resident_row(
    *,
    household_id: int,
    node_id: int,
    data: ResidentData,
    now: dt.datetime,
    note: str | None = None,
    id_index: str | None = None,
) -> tuple:
    """The column values of a new resident from validated data, in RESIDENT_ROW_COLUMNS order.

    The same values as resident_build() and Resident.prepare(), without a model instance: an
    import of 100,000 rows spent a third of its time building and adapting instances.
    """
    pinyin, initials = name_pinyin(data.name)
    return (
        household_id,
        node_id,
        data.name,
        pinyin,
        initials,
        data.gender,
        data.birth_date,
        data.ethnicity or "",
        data.id_number,
        id_index or (blind_index(data.id_number, "id") if data.id_number else None),
        data.phone,
        blind_index(data.phone, "phone") if data.phone else "",
        mask_id_number(data.id_number),
        mask_phone(data.phone),
        data.relation or Resident.Relation.OTHER,
        Resident.Status.ACTIVE,
        data.note if note is None else note,
        False,
        now,
        now,
    )


def _new_resident(household: Household, data: ResidentData) -> Resident:
    resident = resident_build(household, data)
    resident.save()
    if data.tags:
        resident.tags.set(Tag.objects.filter(code__in=data.tags))
    return resident


def _record_change(
    *,
    actor: Actor,
    household: Household,
    kind: str,
    occurred_on: dt.date | None,
    resident: Resident | None = None,
    other: Household | None = None,
    note: str = "",
) -> HouseholdChange:
    return HouseholdChange.objects.create(
        household=household,
        kind=kind,
        occurred_on=occurred_on or timezone.localdate(),
        resident=resident,
        other_household=other,
        note=note[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def _resident_audit(resident: Resident) -> dict:
    return {
        "name": resident.name,
        "relation": resident.relation,
        "household": resident.household_id,
    }


@transaction.atomic
def household_register(
    *,
    actor: Actor,
    node: GridNode,
    address: str,
    head: ResidentData,
    number: str = "",
    tags: list[str] | None = None,
    occurred_on: dt.date | None = None,
    note: str = "",
) -> Household:
    """Register a household that moves in (迁入), with its head."""
    _check_write(actor, node)
    address = normalize_text(address)
    errors = {}
    if not address:
        errors["address"] = "请填写家庭住址"
    number = normalize_text(number)
    if _number_taken(number, node):
        errors["number"] = "该户编号在本村已存在"
    head.relation = Resident.Relation.HEAD
    try:
        resident_validate(head)
    except ValidationError as exc:
        errors.update({f"head_{k}": v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    household = Household.objects.create(node=node, address=address, number=number, note=note)
    if tags:
        household.tags.set(Tag.objects.filter(code__in=tags))
    resident = _new_resident(household, head)
    household.head = resident
    household.save(update_fields=["head"])
    _record_change(
        actor=actor,
        household=household,
        kind=HouseholdChange.Kind.MOVE_IN,
        occurred_on=occurred_on,
        resident=resident,
        note="户主迁入",
    )
    audit_record(
        actor=actor,
        action=PeopleAction.HOUSEHOLD_REGISTER,
        obj=household,
        changes={"address": address, "number": number, "head": resident.name},
    )
    return household


@transaction.atomic
def household_update(
    *,
    actor: Actor,
    household: Household,
    address: str,
    number: str = "",
    tags: list[str] | None = None,
    is_central_household: bool = False,
    note: str = "",
) -> Household:
    _check_write(actor, household.node)
    before = snapshot(household, HOUSEHOLD_FIELDS)
    before_tags = sorted(household.tags.values_list("code", flat=True))
    household.address = normalize_text(address)
    household.number = normalize_text(number)
    household.is_central_household = is_central_household
    household.note = note
    errors = {}
    if not household.address:
        errors["address"] = "请填写家庭住址"
    if household.number != before["number"] and _number_taken(
        household.number, household.node, exclude_pk=household.pk
    ):
        # Two families with one 户编号 in a village cannot be told apart in a roster.
        errors["number"] = "该户编号在本村已存在"
    if errors:
        raise ValidationError(errors)
    household.save()
    changes = diff(household, before, HOUSEHOLD_FIELDS)
    if tags is not None:
        household.tags.set(Tag.objects.filter(code__in=tags))
        if sorted(tags) != before_tags:
            changes["tags"] = [before_tags, sorted(tags)]
    audit_record(actor=actor, action=PeopleAction.HOUSEHOLD_UPDATE, obj=household, changes=changes)
    return household


@transaction.atomic
def resident_add(
    *,
    actor: Actor,
    household: Household,
    data: ResidentData,
    kind: str,
    occurred_on: dt.date | None = None,
    note: str = "",
) -> Resident:
    """Add a member by birth (出生) or move-in (迁入)."""
    _check_write(actor, household.node)
    if household.status != Household.Status.ACTIVE:
        raise ValidationError("该户已迁出或注销,不能再添加成员")
    if kind not in (HouseholdChange.Kind.BIRTH, HouseholdChange.Kind.MOVE_IN):
        raise ValidationError({"kind": "变动类型只能是出生或迁入"})
    if data.relation == Resident.Relation.HEAD and household.head_id:
        raise ValidationError({"relation": "该户已有户主"})
    resident_validate(data)
    if (
        kind == HouseholdChange.Kind.BIRTH
        and data.birth_date
        and occurred_on
        and data.birth_date != occurred_on
    ):
        raise ValidationError({"occurred_on": "出生登记的变动日期应与出生日期一致"})
    resident = _new_resident(household, data)
    _record_change(
        actor=actor,
        household=household,
        kind=kind,
        occurred_on=occurred_on or data.birth_date,
        resident=resident,
        note=note,
    )
    audit_record(
        actor=actor,
        action=PeopleAction.for_change(kind),
        obj=resident,
        changes=_resident_audit(resident),
    )
    return resident


@transaction.atomic
def resident_update(*, actor: Actor, resident: Resident, data: ResidentData) -> Resident:
    _check_write(actor, resident.node)
    resident_validate(data, exclude_pk=resident.pk)
    fields = RESIDENT_FIELDS
    before = snapshot(resident, fields)
    for name in fields:
        setattr(resident, name, getattr(data, name))
    resident.save()
    resident.tags.set(Tag.objects.filter(code__in=data.tags))
    audit_record(
        actor=actor,
        action=PeopleAction.RESIDENT_UPDATE,
        obj=resident,
        changes=diff(resident, before, fields),
    )
    return resident


def _leave(
    *,
    actor: Actor,
    resident: Resident,
    status: str,
    kind: str,
    occurred_on: dt.date | None,
    note: str,
    new_head: Resident | None,
) -> Resident:
    _check_write(actor, resident.node)
    if resident.status != Resident.Status.ACTIVE:
        raise ValidationError("该居民已不在册")
    household = Household.objects.select_for_update().get(pk=resident.household_id)
    others = list(household.members.filter(status=Resident.Status.ACTIVE).exclude(pk=resident.pk))
    if household.head_id == resident.pk and others:
        if new_head is None or new_head.pk not in {o.pk for o in others}:
            raise ValidationError({"new_head": "户主离开后,请从本户在册成员中指定新户主"})
    resident.status = status
    resident.save(update_fields=["status", "updated_at"])
    relations = {}
    if household.head_id == resident.pk and others:
        # The others' relations were to the leaving head: take the usual ones to the new head,
        # which the page then asks the user to check.
        new_head = next(o for o in others if o.pk == new_head.pk)
        relations = _set_relations(
            others, {**relations_after_head_change(new_head, others), new_head.pk: HEAD}
        )
        household.head = new_head
    if not others:
        household.status = (
            Household.Status.MOVED_OUT
            if kind == HouseholdChange.Kind.MOVE_OUT
            else Household.Status.DISSOLVED
        )
    household.save()
    _record_change(
        actor=actor,
        household=household,
        kind=kind,
        occurred_on=occurred_on,
        resident=resident,
        note=note,
    )
    audit_record(
        actor=actor,
        action=PeopleAction.for_change(kind),
        obj=resident,
        changes={
            "status": status,
            "new_head": getattr(new_head, "name", None),
            "note": note,
            **({"relations": relations} if relations else {}),
        },
    )
    return resident


@transaction.atomic
def resident_move_out(
    *,
    actor: Actor,
    resident: Resident,
    occurred_on: dt.date | None = None,
    note: str = "",
    new_head: Resident | None = None,
) -> Resident:
    """Record that a resident moved out (迁出)."""
    return _leave(
        actor=actor,
        resident=resident,
        status=Resident.Status.MOVED_OUT,
        kind=HouseholdChange.Kind.MOVE_OUT,
        occurred_on=occurred_on,
        note=note,
        new_head=new_head,
    )


@transaction.atomic
def resident_record_death(
    *,
    actor: Actor,
    resident: Resident,
    occurred_on: dt.date | None = None,
    note: str = "",
    new_head: Resident | None = None,
) -> Resident:
    """Record a resident's death (死亡)."""
    return _leave(
        actor=actor,
        resident=resident,
        status=Resident.Status.DECEASED,
        kind=HouseholdChange.Kind.DEATH,
        occurred_on=occurred_on,
        note=note,
        new_head=new_head,
    )


@transaction.atomic
def household_split(
    *,
    actor: Actor,
    household: Household,
    members: list[Resident],
    new_head: Resident,
    address: str,
    node: GridNode | None = None,
    occurred_on: dt.date | None = None,
    note: str = "",
) -> Household:
    """Split members off into a new household (分户); both households record the change."""
    node = node or household.node
    _check_write(actor, household.node)
    _check_write(actor, node)
    active = {r.pk for r in household.members.filter(status=Resident.Status.ACTIVE)}
    member_ids = {m.pk for m in members}
    errors = {}
    if not member_ids:
        errors["members"] = "请选择要分出的成员"
    elif not member_ids <= active:
        errors["members"] = "只能分出本户在册成员"
    elif member_ids == active:
        errors["members"] = "不能把全部成员都分出去,原户至少保留一人"
    elif household.head_id in member_ids:
        errors["members"] = "原户主不能分出,请先变更户主"
    if new_head.pk not in member_ids:
        errors["new_head"] = "新户主必须是分出的成员之一"
    address = normalize_text(address)
    if not address:
        errors["address"] = "请填写新户的家庭住址"
    if errors:
        raise ValidationError(errors)
    new = Household.objects.create(node=node, address=address, note=note)
    Resident.objects.filter(pk__in=member_ids).update(
        household=new, node=node, updated_at=timezone.now()
    )
    moving = list(Resident.objects.filter(pk__in=member_ids))
    head = next(m for m in moving if m.pk == new_head.pk)
    relations = _set_relations(moving, {**relations_after_head_change(head, moving), head.pk: HEAD})
    new.head_id = new_head.pk
    new.save(update_fields=["head"])
    names = "、".join(m.name for m in members)
    _record_change(
        actor=actor,
        household=household,
        kind=HouseholdChange.Kind.SPLIT,
        occurred_on=occurred_on,
        other=new,
        note=f"分出:{names}",
    )
    _record_change(
        actor=actor,
        household=new,
        kind=HouseholdChange.Kind.SPLIT,
        occurred_on=occurred_on,
        other=household,
        note=f"由原户分出:{names}",
    )
    audit_record(
        actor=actor,
        action=PeopleAction.HOUSEHOLD_SPLIT,
        obj=household,
        changes={
            "new_household": new.pk,
            "members": sorted(member_ids),
            "address": address,
            "relations": relations,
        },
    )
    return new


def _set_relations(members: list[Resident], relations: dict[int, str]) -> dict[str, list[str]]:
    """Save each member's new relation; return {pk: [old, new]} of those that changed."""
    changed = {}
    for m in members:
        new = relations.get(m.pk, m.relation)
        if new != m.relation:
            changed[str(m.pk)] = [m.relation, new]
            m.relation = new
            m.save(update_fields=["relation", "updated_at"])
    return changed


@transaction.atomic
def household_change_head(
    *,
    actor: Actor,
    household: Household,
    new_head: Resident,
    relations: dict[int, str],
    occurred_on: dt.date | None = None,
    note: str = "",
) -> Household:
    """Make another member the head (户主变更), or correct the members' relations to the head
    when new_head is the head already. `relations` gives every other member's relation to the
    new head."""
    _check_write(actor, household.node)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status != Household.Status.ACTIVE:
        raise ValidationError("该户已不在册,不能变更户主")
    members = {m.pk: m for m in household.members.filter(status=Resident.Status.ACTIVE)}
    if new_head.pk not in members:
        raise ValidationError({"new_head": "新户主必须是本户在册成员"})
    if set(relations) != set(members) - {new_head.pk}:
        raise ValidationError("请为本户每位在册成员选择与新户主的关系")
    if any(r not in RELATIONS or r == HEAD for r in relations.values()):
        raise ValidationError("一户只能有一个户主,请为其他成员选择与户主的关系")
    if sum(r == Resident.Relation.SPOUSE for r in relations.values()) > 1:
        raise ValidationError("户主的配偶只能有一位")
    old_head = members.get(household.head_id)
    head_changed = household.head_id != new_head.pk
    changed = _set_relations(list(members.values()), {**relations, new_head.pk: HEAD})
    if not changed and not head_changed:
        raise ValidationError("户主和成员关系都没有变化")
    if head_changed:
        household.head = members[new_head.pk]
        household.save(update_fields=["head", "updated_at"])
        _record_change(
            actor=actor,
            household=household,
            kind=HouseholdChange.Kind.HEAD_CHANGE,
            occurred_on=occurred_on,
            resident=household.head,
            note=";".join(filter(None, [f"原户主:{old_head.name}" if old_head else "", note])),
        )
    audit_record(
        actor=actor,
        action=PeopleAction.HOUSEHOLD_HEAD_CHANGE
        if head_changed
        else PeopleAction.HOUSEHOLD_RELATIONS_CHANGE,
        obj=household,
        changes={
            **(
                {"head": [getattr(old_head, "name", None), household.head.name]}
                if head_changed
                else {}
            ),
            "relations": changed,
            **({"note": note} if note else {}),
        },
    )
    return household


REVEAL_FIELDS = {"id_number": "身份证号", "phone": "联系电话"}


@transaction.atomic
def resident_reveal(*, actor: Actor, resident: Resident, field_name: str, purpose: str) -> str:
    """Show one masked field in full, for a stated purpose, and put it in the audit trail."""
    if field_name not in REVEAL_FIELDS:
        raise ValidationError({"field": "只能查看身份证号或联系电话"})
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise ValidationError({"purpose": "请说明查看完整信息的用途"})
    if not scope_for(actor).can_reveal_path(resident.node.path):
        raise PermissionDenied("您的角色不能查看完整的个人信息")
    audit_record(
        actor=actor,
        action=PeopleAction.RESIDENT_REVEAL,
        obj=resident,
        changes={"field": field_name, "purpose": purpose[:200]},
    )
    return getattr(resident, field_name) or ""
