"""The lookup step: the registered people and households a batch's rows name, fetched once per
batch, and the person each row names (by 系统编号 or by the blind index of the ID number)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection

from xiangzhi.core.crypto import blind_index, legacy_mask_id_number, mask_id_number, mask_phone

from ...models import Household, Resident
from ..resident_data import NOT_USABLE_HERE, id_taken_message
from .cells import Row
from .check import check_against_id

if TYPE_CHECKING:
    from .run import RegistryImport


def registered(indexes: list[str]) -> list[str]:
    """Those of the blind indexes that are registered: a bare probe, so that a batch of new people
    (the usual case) costs one small query instead of the ORM's join with households and nodes."""
    if not indexes:
        return []
    table = Resident._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter parses faster than 500
            cursor.execute(
                f"SELECT id_number_index FROM {table} WHERE id_number_index = ANY(%s)", [indexes]
            )
        else:
            cursor.execute(
                f"SELECT id_number_index FROM {table} WHERE id_number_index IN "
                f"({', '.join(['%s'] * len(indexes))})",
                indexes,
            )
        return [i for (i,) in cursor.fetchall()]


@dataclass
class Known:
    """What a batch's rows name that is registered already."""

    by_index: dict[str, Resident] = field(default_factory=dict)  # by ID blind index
    by_pk: dict[int, Resident | Household] = field(default_factory=dict)  # by 系统编号
    by_number: dict[str, list[Household]] = field(default_factory=dict)  # in scope, by 户编号


def _by_pk(run: RegistryImport, pks: list[int]) -> dict:
    if not pks:
        return {}
    model = Resident if run.kind == "residents" else Household
    qs = model.objects.for_actor(run.actor).filter(pk__in=pks)
    if model is Resident:
        qs = qs.select_related("household", "node").prefetch_related("tags")
    else:
        qs = qs.select_related("head", "node").prefetch_related("tags")
    return {o.pk: o for o in qs}


def _by_number(run: RegistryImport, numbers: set[str]) -> dict[str, list[Household]]:
    """The households in scope with these numbers; run.taken_numbers gets those of any scope."""
    if not numbers:
        return {}
    found: dict[str, list[Household]] = {}
    for h in (
        Household.objects.for_actor(run.actor).filter(number__in=numbers).select_related("node")
    ):
        found.setdefault(h.number, []).append(h)
    # Numbers in use outside the actor's scope too: a new family must not take one (the
    # registration page refuses it the same way).
    run.taken_numbers = {}
    for number, path in Household.objects.filter(number__in=numbers).values_list(
        "number", "node__path"
    ):
        run.taken_numbers.setdefault(number, []).append(path)
    return found


def known_records(run: RegistryImport, rows: list[Row]) -> Known:
    """Fetch what the rows name (after the check step, which settles each row's ID)."""
    for r in rows:
        if r.data.id_number and not r.id_masked:
            r.id_index = blind_index(r.data.id_number, "id")
    by_index = {
        r.id_number_index: r
        for r in Resident.objects.filter(
            id_number_index__in=registered([r.id_index for r in rows if r.id_index])
        )
        .select_related("household", "node")
        .prefetch_related("tags")
    }
    return Known(
        by_index=by_index,
        by_pk=_by_pk(run, [r.pk for r in rows if r.pk]),
        by_number=_by_number(run, {r.household_number for r in rows if r.household_number}),
    )


def _by_system_number(run: RegistryImport, row: Row, known: Known) -> Resident | None:
    """The person a 系统编号 names (a households sheet names the household: its head)."""
    d = row.data
    obj = known.by_pk.get(row.pk)
    if obj is None:
        what = "户" if run.kind == "households" else "居民"
        row.fail("pk", f"系统编号对应的{what}不存在或不在您的管辖范围内")
        return None
    found = obj.head if run.kind == "households" else obj
    if found is None:
        row.fail("pk", "系统编号对应的户没有户主，请在户籍页面先指定户主")
        return None
    masks = {mask_id_number(found.id_number), legacy_mask_id_number(found.id_number)}
    if row.id_masked and d.id_number not in masks:  # an older export's mask still matches
        row.fail("id_number", "脱敏身份证号与系统编号对应的记录不一致")
    elif row.id_masked:
        check_against_id(row, found.id_number)
    elif not row.id_masked and d.id_number:
        other = known.by_index.get(row.id_index)
        if other is not None and other.pk != found.pk:
            row.fail("id_number", id_taken_message(run.scope, other))
    return found


def resident_of(run: RegistryImport, row: Row, known: Known) -> Resident | None:
    """The resident a row names (by 系统编号 or ID number), checked against the row."""
    d = row.data
    found = None
    if row.pk:
        found = _by_system_number(run, row, known)
        if found is None:
            return None
    elif d.id_number and not row.id_masked:
        found = known.by_index.get(row.id_index)
    if found is None:
        return None
    if not run.scope.can_write_path(found.node.path):
        # Outside the scope, say neither where nor whether the number is registered (issue 10).
        visible = run.scope.can_read_path(found.node.path)
        row.fail("id_number", "您对该居民只有查看权限" if visible else NOT_USABLE_HERE)
        return None
    if row.phone_masked and mask_phone(found.phone) != d.phone:
        row.fail("phone", "脱敏电话与系统中的不一致")
    return found
