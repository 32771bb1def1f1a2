"""Every single-record write on the registry: households, residents, their arrivals and departures
(人口变动) and the audited reveal of personal data."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.accounts.services import user_leave
from xiangzhi.core import figures
from xiangzhi.core.audit import audit_lock, audit_record, diff, snapshot, township_key
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.core.validators import normalize_text
from xiangzhi.grid.labels import full_name
from xiangzhi.grid.models import GridNode

from ..actions import PeopleAction
from ..models import Household, HouseholdChange, Resident, Tag
from ..relations import relations_after_head_change
from ..selectors import NUMBER_QUERIES, year_ago
from .numbering import check_household_level, next_number
from .resident_data import (
    HEAD,
    HOUSEHOLD_FIELDS,
    RESIDENT_FIELDS,
    ResidentData,
    id_taken_message,
    resident_build,
    resident_validate,
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
        raise PermissionDenied(gettext("您对该网格只有查看权限"))


def _write_lock(actor: Actor, *nodes: GridNode) -> None:
    """Refuse a node the actor may not write; then take the audit heads of the nodes' townships
    (in key order), before any row: a registry import holds them from its first batch to its
    commit and locks households, residents and numbers after them, so a service that locked one
    of those first and audited after deadlocked with it (PostgreSQL aborted one of the two)."""
    for node in nodes:
        _check_write(actor, node)
    for node in sorted(nodes, key=township_key):
        audit_lock(node)


def _fresh(obj: Household | Resident) -> None:
    """Lock the row and read it again (after _write_lock): the page's copy was read before a
    write that held the head meanwhile (an import moving the household, a departure), and
    saving that copy whole would undo it."""
    type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk").first()
    obj.refresh_from_db()


def _save_number_once(resident: Resident, *, actor: Actor, field: str = "id_number") -> None:
    """Save the resident; an ID number taken meanwhile is refused under `field`, in Chinese."""
    try:
        # In a savepoint: another request may have registered the number after resident_validate
        # looked (its row not yet committed). The unique index then refuses this row, and the
        # transaction must stay usable to look up whose the number is.
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        index = resident.id_number_index
        others = Resident.objects.exclude(pk=resident.pk)
        taken = others.filter(id_number_index=index).first() if index else None
        if taken is None:
            raise
        raise ValidationError({field: id_taken_message(scope_for(actor), taken)}) from None


def _new_resident(
    household: Household, data: ResidentData, *, actor: Actor, field: str = "id_number"
) -> Resident:
    """Save a new member; an ID number taken meanwhile is refused under `field`, in Chinese."""
    resident = resident_build(household, data)
    _save_number_once(resident, actor=actor, field=field)
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
    destination: str = "",
    reason: str = "",
) -> HouseholdChange:
    # Called inside the service's transaction: a refused date takes the whole change back.
    day = occurred_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"occurred_on": gettext("变动日期不能晚于今天")})
    born = resident.birth_date if resident is not None else None
    if born is not None and day < born:
        raise ValidationError({"occurred_on": gettext("变动日期不能早于该居民的出生日期")})
    return HouseholdChange.objects.create(
        household=household,
        kind=kind,
        occurred_on=day,
        resident=resident,
        other_household=other,
        note=note[:200],
        destination=destination,
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def is_newborn(resident: Resident, today: dt.date | None = None) -> bool:
    """Born less than a year ago: never made the head of a household."""
    born = resident.birth_date
    today = today or timezone.localdate()
    return born is not None and born > year_ago(today)


def _check_reason(kind: str, destination: str, reason: str) -> None:
    """迁出 takes a destination and a move-out reason, 死亡 a cause; each from its own list."""
    Change = HouseholdChange
    errors = {}
    if destination and (kind != Change.Kind.MOVE_OUT or destination not in Change.Destination):
        errors["destination"] = gettext("请从列表中选择迁往何处")
    allowed = Change.MOVE_OUT_REASONS if kind == Change.Kind.MOVE_OUT else Change.DEATH_CAUSES
    if reason and reason not in allowed:
        errors["reason"] = gettext("请从列表中选择") + (
            gettext("迁出原因") if kind == Change.Kind.MOVE_OUT else gettext("死亡原因")
        )
    if errors:
        raise ValidationError(errors)


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


def _resident_audit(resident: Resident) -> dict:
    return {
        "name": resident.name,
        "relation": resident.relation,
        "household": resident.household_id,
    }


@transaction.atomic
@figures.batched
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
    """Register a household that moves in (迁入), with its head. Without an address it takes its
    grid's full name; without a 户编号, the village's next number."""
    _write_lock(actor, node)
    check_household_level(node)
    address = normalize_text(address) or full_name(node)
    errors = {}
    number = normalize_text(number)
    if _number_taken(number, node):
        errors["number"] = gettext("该户编号在本村已存在")
    head.relation = Resident.Relation.HEAD
    try:
        resident_validate(head, actor=actor)
    except ValidationError as exc:
        errors.update({f"head_{k}": v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    number = number or next_number(node)
    household = Household.objects.create(node=node, address=address, number=number, note=note)
    if tags:
        household.tags.set(Tag.objects.filter(code__in=tags))
    resident = _new_resident(household, head, actor=actor, field="head_id_number")
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
    figures.touch(node)
    audit_record(
        actor=actor,
        action=PeopleAction.HOUSEHOLD_REGISTER,
        obj=household,
        changes={"address": address, "number": number, "head": resident.name},
    )
    return household


@transaction.atomic
@figures.batched
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
    _write_lock(actor, household.node)
    _fresh(household)
    before = snapshot(household, HOUSEHOLD_FIELDS)
    before_tags = sorted(household.tags.values_list("code", flat=True))
    household.address = normalize_text(address)
    household.number = normalize_text(number)
    household.is_central_household = is_central_household
    household.note = note
    errors = {}
    if not household.address:
        errors["address"] = gettext("请填写家庭住址")
    if household.number != before["number"] and _number_taken(
        household.number, household.node, exclude_pk=household.pk
    ):
        # Two families with one 户编号 in a village cannot be told apart in a roster.
        errors["number"] = gettext("该户编号在本村已存在")
    if errors:
        raise ValidationError(errors)
    household.save()
    changes = diff(household, before, HOUSEHOLD_FIELDS)
    if tags is not None:
        household.tags.set(Tag.objects.filter(code__in=tags))
        if sorted(tags) != before_tags:
            changes["tags"] = [before_tags, sorted(tags)]
    figures.touch(household.node)
    audit_record(actor=actor, action=PeopleAction.HOUSEHOLD_UPDATE, obj=household, changes=changes)
    return household


@transaction.atomic
@figures.batched
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
    _write_lock(actor, household.node)
    household = Household.objects.select_for_update().get(pk=household.pk)  # as _fresh
    if household.status != Household.Status.ACTIVE:
        raise ValidationError(gettext("该户已迁出或注销，不能再添加成员"))
    if kind not in (HouseholdChange.Kind.BIRTH, HouseholdChange.Kind.MOVE_IN):
        raise ValidationError({"kind": gettext("变动类型只能是出生或迁入")})
    if data.relation == Resident.Relation.HEAD and household.head_id:
        raise ValidationError({"relation": gettext("该户已有户主")})
    if data.relation == Resident.Relation.HEAD and kind == HouseholdChange.Kind.BIRTH:
        raise ValidationError({"relation": gettext("新生儿不能当户主，请指定其他成员")})
    resident_validate(data, actor=actor)
    if (
        kind == HouseholdChange.Kind.BIRTH
        and data.birth_date
        and occurred_on
        and data.birth_date != occurred_on
    ):
        raise ValidationError({"occurred_on": gettext("出生登记的变动日期应与出生日期一致")})
    resident = _new_resident(household, data, actor=actor)
    if data.relation == Resident.Relation.HEAD:  # a household left without a head takes one
        household.head = resident
        household.save(update_fields=["head", "updated_at"])
    _record_change(
        actor=actor,
        household=household,
        kind=kind,
        # A birth is dated by the birth date; a move-in left undated is today's, not the day the
        # newcomer was born (party's follow-up would be decades overdue).
        occurred_on=occurred_on
        or (data.birth_date if kind == HouseholdChange.Kind.BIRTH else None),
        resident=resident,
        note=note,
    )
    figures.touch(household.node)
    audit_record(
        actor=actor,
        action=PeopleAction.for_change(kind),
        obj=resident,
        changes=_resident_audit(resident),
    )
    return resident


@transaction.atomic
@figures.batched
def resident_update(*, actor: Actor, resident: Resident, data: ResidentData) -> Resident:
    _write_lock(actor, resident.node)
    _fresh(resident)
    resident_validate(data, exclude_pk=resident.pk, actor=actor)
    is_head = Household.objects.filter(pk=resident.household_id, head_id=resident.pk).exists()
    if (data.relation == Resident.Relation.HEAD) != is_head:
        # A household has one head, and who it is changes only through 户主变更, which also
        # sets the others' relations to the new head.
        raise ValidationError(
            {"relation": gettext("更换户主请在该户页面点“户主变更”办理，这里不能改为或改掉户主。")}
        )
    fields = RESIDENT_FIELDS
    before = snapshot(resident, fields)
    for name in fields:
        setattr(resident, name, getattr(data, name))
    _save_number_once(resident, actor=actor)
    resident.tags.set(Tag.objects.filter(code__in=data.tags))
    figures.touch(resident.node)
    audit_record(
        actor=actor,
        action=PeopleAction.RESIDENT_UPDATE,
        obj=resident,
        changes=diff(resident, before, fields),
    )
    return resident


def _next_head(
    household: Household, resident: Resident, others: list[Resident], new_head: Resident | None
) -> Resident | None:
    """Who heads the household once `resident` leaves it: the new head the user chose when the
    head leaves others who may head it; None otherwise (not the head, or only babies are left:
    the household then has no head until a 户主变更, and the workbench lists it)."""
    if household.head_id != resident.pk or all(is_newborn(o) for o in others):
        return None
    chosen = next((o for o in others if new_head is not None and o.pk == new_head.pk), None)
    if chosen is None:
        raise ValidationError({"new_head": gettext("户主离开后，请从本户在册成员中指定新户主")})
    if is_newborn(chosen):
        raise ValidationError({"new_head": gettext("新生儿不能当户主，请指定其他成员")})
    return chosen


def _leave(
    *,
    actor: Actor,
    resident: Resident,
    status: str,
    kind: str,
    occurred_on: dt.date | None,
    note: str,
    new_head: Resident | None,
    destination: str = "",
    reason: str = "",
) -> Resident:
    _write_lock(actor, resident.node)
    _check_reason(kind, destination, reason)
    household = Household.objects.select_for_update().get(pk=resident.household_id)
    # Read again under the household's lock: a page opened before another departure (or a
    # second tap) must not record the person leaving twice.
    resident.refresh_from_db(fields=["status", "household"])
    if resident.status != Resident.Status.ACTIVE:
        raise ValidationError(gettext("该居民已不在册"))
    if resident.household_id != household.pk:
        raise ValidationError(gettext("该居民所在的户刚有变动，请刷新页面后重试。"))
    others = list(household.members.filter(status=Resident.Status.ACTIVE).exclude(pk=resident.pk))
    new_head = _next_head(household, resident, others, new_head)
    resident.status = status
    resident.save(update_fields=["status", "updated_at"])
    if resident.user_id:
        # The person's own account (villager, party member) ends with their life here.
        user_leave(actor=actor, user=resident.user, reason=kind, node=resident.node)
    relations = {}
    if new_head is not None:
        # The others' relations were to the leaving head: take the usual ones to the new head,
        # which the page then asks the user to check.
        relations = _set_relations(
            others, {**relations_after_head_change(new_head, others), new_head.pk: HEAD}
        )
        household.head = new_head
    elif household.head_id == resident.pk and others:
        # Only babies are left: the household has no head until a relative moves in as 户主 or
        # a child turns one (户主变更); the workbench lists it among the households to settle.
        household.head = None
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
        destination=destination,
        reason=reason,
    )
    figures.touch(resident.node)
    audit_record(
        actor=actor,
        action=PeopleAction.for_change(kind),
        obj=resident,
        changes={
            "status": status,
            **({"destination": destination} if destination else {}),
            **({"reason": reason} if reason else {}),
            "new_head": getattr(new_head, "name", None),
            "note": note,
            **({"relations": relations} if relations else {}),
        },
    )
    return resident


@transaction.atomic
@figures.batched
def resident_move_out(
    *,
    actor: Actor,
    resident: Resident,
    occurred_on: dt.date | None = None,
    note: str = "",
    new_head: Resident | None = None,
    destination: str = "",
    reason: str = "",
) -> Resident:
    """Record that a resident moved out (迁出): where to (Destination) and why (Reason)."""
    return _leave(
        actor=actor,
        resident=resident,
        status=Resident.Status.MOVED_OUT,
        kind=HouseholdChange.Kind.MOVE_OUT,
        occurred_on=occurred_on,
        note=note,
        new_head=new_head,
        destination=destination,
        reason=reason,
    )


@transaction.atomic
@figures.batched
def resident_record_death(
    *,
    actor: Actor,
    resident: Resident,
    occurred_on: dt.date | None = None,
    note: str = "",
    new_head: Resident | None = None,
    cause: str = "",
) -> Resident:
    """Record a resident's death (死亡) and its cause (one of HouseholdChange.DEATH_CAUSES)."""
    return _leave(
        actor=actor,
        resident=resident,
        status=Resident.Status.DECEASED,
        kind=HouseholdChange.Kind.DEATH,
        occurred_on=occurred_on,
        note=note,
        new_head=new_head,
        reason=cause,
    )


REVEAL_FIELDS = {"id_number": "身份证号", "phone": "联系电话"}


@transaction.atomic
def resident_reveal(*, actor: Actor, resident: Resident, field_name: str, purpose: str) -> str:
    """Show one masked field in full, for a stated purpose, and put it in the audit trail."""
    if field_name not in REVEAL_FIELDS:
        raise ValidationError({"field": gettext("只能查看身份证号或联系电话")})
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise ValidationError({"purpose": gettext("请说明查看完整信息的用途")})
    if not scope_for(actor).can_reveal_path(resident.node.path):
        raise PermissionDenied(gettext("您的角色不能查看完整的个人信息"))
    audit_record(
        actor=actor,
        action=PeopleAction.RESIDENT_REVEAL,
        obj=resident,
        changes={"field": field_name, "purpose": purpose[:200]},
    )
    return getattr(resident, field_name) or ""


def resident_number_search(*, actor: Actor, search: str) -> bool:
    """Put a search by a number in the audit trail (True when it was one). A match confirms
    digits the ID mask hides: a hundred or a thousand searches rebuild a whole number, so such
    searches leave a trace for the auditors as a reveal does (hostile review). The query itself
    is kept masked but for its last character."""
    query = normalize_text(search).upper()
    if not any(pattern.fullmatch(query) for pattern in NUMBER_QUERIES):
        return False
    audit_record(
        actor=actor,
        action=PeopleAction.RESIDENT_NUMBER_SEARCH,
        changes={"query": "*" * (len(query) - 1) + query[-1]},
    )
    return True
