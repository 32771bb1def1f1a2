"""The write step: a batch's plan written in bulk, with one audit event per created or changed
record (queued on the run; the engine appends them after the batch with audit_record_many).

New residents, their history rows and tags are written as tuples of column values, not model
instances (core.bulk.insert_rows); registry.resident_row gives the same values as
Resident.prepare(), and a test holds the two together.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from xiangzhi.accounts.services import household_roles_follow
from xiangzhi.core.bulk import fast_insert, insert_rows, update_column
from xiangzhi.core.registry import households_moved
from xiangzhi.grid.models import GridNode

from ...actions import PeopleAction
from ...models import Household, HouseholdChange, Resident
from ..numbering import VILLAGE_LEVEL, next_numbers
from ..resident_data import RESIDENT_ROW_COLUMNS, resident_row
from .changes import Plan

if TYPE_CHECKING:
    from .run import RegistryImport

# The columns of the history row (表格建档) each imported resident gets, written as tuples.
HISTORY_COLUMNS = (
    "household_id",
    "kind",
    "occurred_on",
    "resident_id",
    "note",
    "created_by_id",
    "created_at",
)
# What an update of a resident rewrites besides the changed fields: what prepare() derives.
DERIVED_FIELDS = [
    "updated_at",
    "name_pinyin",
    "name_initials",
    "id_number_index",
    "phone_index",
    "id_number_mask",
    "phone_mask",
    "id_number_last4",
    "phone_last4",
]


def _number_households(households: list[Household]) -> None:
    """Give the households without a 户编号 their village's next numbers, a block per village."""
    by_village: dict[str, list[Household]] = {}
    for h in households:
        if not h.number:
            by_village.setdefault(h.node.ancestor_path_at(VILLAGE_LEVEL), []).append(h)
    villages = {n.path: n for n in GridNode.objects.filter(path__in=list(by_village))}
    for path, numberless in by_village.items():
        for h, number in zip(
            numberless, next_numbers(villages[path], len(numberless)), strict=True
        ):
            h.number = number


def _new_households(plan: Plan, run: RegistryImport) -> None:
    _number_households(plan.households)
    fast_insert(Household, plan.households)
    for h in plan.households:
        run.audit.append(
            {
                "action": PeopleAction.HOUSEHOLD_IMPORT_CREATE,
                "obj": h,
                "changes": {"address": h.address, "number": h.number},
            }
        )


def _new_resident_tags(plan: Plan, run: RegistryImport, keys: list[int]) -> None:
    """In a households sheet the tags belong to the household, else to the person."""
    tag_ids = {t.code: t.pk for t in run.tags.values()}
    if run.kind == "households":
        through, fk = Household.tags.through, "household_id"
        owners = [h.pk for h, _ in plan.residents]
    else:
        through, fk = Resident.tags.through, "resident_id"
        owners = keys
    insert_rows(
        through,
        (fk, "tag_id"),
        [
            (owner, tag_ids[code])
            for owner, (_, row) in zip(owners, plan.residents, strict=True)
            for code in row.data.tags
        ],
    )


def _new_residents(plan: Plan, run: RegistryImport, now: dt.datetime, today: dt.date) -> None:
    """The residents, each household's head, their 表格建档 history rows and their tags."""
    actor_id = run.actor.pk if getattr(run.actor, "pk", None) else None
    keys = insert_rows(
        Resident,
        RESIDENT_ROW_COLUMNS,
        [
            resident_row(
                household_id=h.pk,
                node_id=h.node_id,
                data=row.data,
                now=now,
                # In a households sheet the note is the household's.
                note="" if row.kind == "households" else None,
                id_index=row.id_index or None,
            )
            for h, row in plan.residents
        ],
        returning=True,
    )
    heads = []
    changes = []
    for pk, (h, row) in zip(keys, plan.residents, strict=True):
        if row.data.relation == Resident.Relation.HEAD and h.head_id is None:
            h.head_id = pk
            heads.append((pk, h.pk))
        changes.append((h.pk, HouseholdChange.Kind.IMPORT, today, pk, "表格导入", actor_id, now))
        run.audit.append(
            {
                "action": PeopleAction.RESIDENT_IMPORT_CREATE,
                "object_type": "people.resident",
                "object_id": pk,
                "object_repr": row.data.name,
                "node": h.node_id,
                "changes": {"name": row.data.name, "household": h.pk, "row": row.number},
            }
        )
    update_column(Household, "head", heads)
    insert_rows(HouseholdChange, HISTORY_COLUMNS, changes)
    _new_resident_tags(plan, run, keys)


def _resident_updates(plan: Plan, run: RegistryImport, now: dt.datetime) -> None:
    fields = sorted({k for _, ch in plan.updates.values() for k in ch if k != "tags"})
    objs = []
    for resident, changes in plan.updates.values():
        for name, (_, new) in changes.items():
            if name != "tags":
                setattr(resident, name, new)
        resident.updated_at = now
        resident.prepare()
        objs.append(resident)
        run.audit.append(
            {"action": PeopleAction.RESIDENT_IMPORT_UPDATE, "obj": resident, "changes": changes}
        )
    if fields:
        Resident.objects.bulk_update(objs, [*fields, *DERIVED_FIELDS], batch_size=1000)
    _replace_tags(Resident.tags.through, "resident_id", plan.tag_sets, run)


def _household_updates(plan: Plan, run: RegistryImport, now: dt.datetime) -> None:
    objs = []
    moves: dict[int, int] = {}
    for household, changes in plan.household_updates.values():
        for name, (_, new) in changes.items():
            if name == "node":
                household.node_id = new
            elif name != "tags":
                setattr(household, name, new)
        household.updated_at = now
        objs.append(household)
        run.audit.append(
            {"action": PeopleAction.HOUSEHOLD_IMPORT_UPDATE, "obj": household, "changes": changes}
        )
        if "node" in changes:
            Resident.objects.filter(household=household).update(node_id=household.node_id)
            moves[household.pk] = household.node_id
    Household.objects.bulk_update(
        objs,
        ["node", "address", "number", "is_central_household", "note", "updated_at"],
        batch_size=1000,
    )
    households_moved(moves)
    _accounts_follow(moves, run)
    _replace_tags(Household.tags.through, "household_id", plan.household_tag_sets, run)


def _accounts_follow(moves: dict[int, int], run: RegistryImport) -> None:
    """The accounts of the people of moved households are bound where they now live."""
    if not moves:
        return
    users = Resident.objects.filter(
        household_id__in=moves, user__isnull=False, status=Resident.Status.ACTIVE
    ).values_list("user_id", "household_id")
    follows = {user: moves[household] for user, household in users}
    run.audit += household_roles_follow(actor=run.actor, moves=follows, audit=False)


def _replace_tags(
    through: type[models.Model], fk: str, sets: dict[int, list[str]], run: RegistryImport
) -> None:
    if not sets:
        return
    tag_ids = {t.code: t.pk for t in run.tags.values()}
    through.objects.filter(**{f"{fk}__in": list(sets)}).delete()
    through.objects.bulk_create(
        [
            through(**{fk: pk, "tag_id": tag_ids[code]})
            for pk, codes in sets.items()
            for code in codes
        ]
    )


def write_plan(plan: Plan, run: RegistryImport) -> None:
    """Write what the plan holds, in bulk."""
    now = timezone.now()
    today = timezone.localdate()
    if plan.households:
        _new_households(plan, run)
    if plan.residents:
        _new_residents(plan, run, now, today)
    if plan.updates:
        _resident_updates(plan, run, now)
    if plan.household_updates:
        _household_updates(plan, run, now)
