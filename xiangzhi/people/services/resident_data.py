"""Resident data before it is written: the fields, their cleaning and checks, and the row a
new resident becomes (shared by the single-record services and the spreadsheet import)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.crypto import blind_index, last4_index, mask_id_number, mask_phone
from xiangzhi.core.scope import Scope, scope_for
from xiangzhi.core.types import Actor
from xiangzhi.core.validators import normalize_phone, normalize_text, parse_citizen_id
from xiangzhi.core.xlsx import FirstOfMonth, MonthOnly

from ..models import Household, Resident, Tag
from ..pinyin import name_pinyin

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


def resident_clean(data: ResidentData, *, today: dt.date | None = None) -> dict[str, str]:
    """Normalise a resident's fields in place and return their errors, without the database."""
    errors: dict[str, str] = {}
    data.name = normalize_text(data.name)
    if not data.name:
        errors["name"] = gettext("请填写姓名")
    elif len(data.name) > 50:
        errors["name"] = gettext("姓名不能超过50个字")
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
                errors["birth_date"] = gettext(
                    "出生日期 %(shown)s 与身份证号中的 %(birth_date)s 不一致"
                ) % {"shown": shown, "birth_date": format(cid.birth_date, "%Y-%m-%d")}
            if data.gender and data.gender != cid.gender:
                errors["gender"] = gettext("性别与身份证号不一致（第17位奇数为男，偶数为女）")
            data.birth_date = data.birth_date or cid.birth_date
            data.gender = data.gender or cid.gender
    if isinstance(data.birth_date, MonthOnly):
        errors.setdefault(
            "birth_date",
            f"出生日期只写到了月（{data.birth_date.typed}），请写完整日期或填写身份证号",
        )
    if not data.gender:
        if "id_number" not in errors:  # a wrong ID is the one error: its gender would follow
            errors.setdefault("gender", "请选择性别")
    elif data.gender not in GENDERS:
        errors["gender"] = gettext("性别只能是男或女")
    if data.birth_date and data.birth_date > (today or timezone.localdate()):
        errors["birth_date"] = gettext("出生日期不能晚于今天")
    if data.phone:
        try:
            data.phone = normalize_phone(data.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if data.relation not in RELATIONS:
        errors["relation"] = gettext("与户主关系无效")
    data.ethnicity = normalize_text(data.ethnicity)
    if data.ethnicity in ETHNIC_GROUPS:  # 汉 -> 汉族: one spelling, so that lists group alike
        data.ethnicity += "族"
    if len(data.ethnicity) > 20:
        errors["ethnicity"] = gettext("民族不能超过20个字")
    if len(data.note or "") > 200:
        errors["note"] = gettext("备注不能超过200个字")
    return errors


# A number registered outside the actor's scope: say neither where nor whether (issue 10, no
# existence oracle), only that it cannot be used here and whom to ask.
NOT_USABLE_HERE = "该身份证号不能在此登记。如确为本人的身份证号，请联系乡镇管理员核实处理。"
TAKEN_IN_SCOPE = "该身份证号已登记在其他居民名下，请在居民列表中查找该居民"


def id_taken_message(scope: Scope, other: Resident) -> str:
    """What to say of a number that is `other`'s: named as such only inside the actor's scope."""
    return TAKEN_IN_SCOPE if scope.can_read_path(other.node.path) else NOT_USABLE_HERE


def resident_validate(
    data: ResidentData, *, exclude_pk: int | None = None, actor: Actor | None = None
) -> ResidentData:
    """Normalise and check a resident's fields; raise ValidationError with Chinese messages."""
    errors = resident_clean(data)
    if data.id_number and "id_number" not in errors:
        dup = Resident.objects.filter(id_number_index=blind_index(data.id_number, "id"))
        if exclude_pk:
            dup = dup.exclude(pk=exclude_pk)
        found = dup.first()
        if found is not None:
            errors["id_number"] = id_taken_message(scope_for(actor), found)
    known = set(Tag.objects.filter(code__in=data.tags).values_list("code", flat=True))
    unknown = set(data.tags) - known
    if unknown:
        errors["tags"] = gettext("未知的标签：") + "、".join(sorted(unknown))
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
    "id_number_last4",
    "phone_last4",
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
        last4_index(data.id_number, "id"),
        last4_index(data.phone, "phone"),
        data.relation or Resident.Relation.OTHER,
        Resident.Status.ACTIVE,
        data.note if note is None else note,
        False,
        now,
        now,
    )
