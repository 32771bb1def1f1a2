"""The writes of one batch, as the plan step decides them: new households and residents, and the
changes of registered ones (a blank cell never erases a registered value). The write step does
them in bulk."""

from __future__ import annotations

from collections.abc import Callable

from xiangzhi.core import xlsx
from xiangzhi.grid.models import GridNode

from ...models import Household, Resident
from .cells import Row


def _differs(registered: str, read: str, reader: Callable[[object], str] = xlsx.text) -> bool:
    """Whether a cell read as `read` says other than the registered text. The registered text
    is read as the cell was (full-width ，（） folded, spaces made one; `reader`), so that a sheet
    exported with it reads back unchanged and never rewrites it in half-width characters."""
    return registered != read and reader(registered or "") != read


class Plan:
    """The writes of one batch, done in bulk (write.write_plan)."""

    def __init__(self) -> None:
        self.households: list[Household] = []
        self.head_rows: dict[int, Row] = {}
        self.residents: list[tuple[Household, Row]] = []
        self.updates: dict[int, tuple[Resident, dict]] = {}
        self.household_updates: dict[int, tuple[Household, dict]] = {}
        self.tag_sets: dict[int, list[str]] = {}
        self.household_tag_sets: dict[int, list[str]] = {}

    def new_household(self, *, node: GridNode, number: str, address: str, row: Row) -> Household:
        h = Household(
            node=node,
            number=number,
            address=address,
            note=row.data.note if row.kind == "households" else "",
        )
        if row.central is not None:
            h.is_central_household = row.central
        self.households.append(h)
        self.head_rows[id(h)] = row
        return h

    def new_resident(self, household: Household, row: Row) -> None:
        self.residents.append((household, row))

    def household_touched(self, household: Household | None) -> bool:
        return household is not None and household.pk in self.household_updates

    def household_changes(
        self, household: Household, head_row: Row | None, node: GridNode | None, number: str
    ) -> None:
        """A registered household's grid, and from its head's row its address and number."""
        if household.pk in self.household_updates:
            return
        changes = {}
        if node.pk != household.node_id:
            changes["node"] = [household.node_id, node.pk]
        if head_row is not None:
            if head_row.address and _differs(household.address, head_row.address):
                changes["address"] = [household.address, head_row.address]
            if number and _differs(household.number, number, xlsx.compact):
                changes["number"] = [household.number, number]
        if changes:
            self.household_updates[household.pk] = (household, changes)

    def household_row_changes(self, household: Household, row: Row) -> bool:
        """What a households sheet says of the household itself: 党员中心户, note, tags."""
        changes = dict(self.household_updates.get(household.pk, (household, {}))[1])
        if row.central is not None and row.central != household.is_central_household:
            changes["is_central_household"] = [household.is_central_household, row.central]
        if row.data.note and _differs(household.note, row.data.note):
            changes["note"] = [household.note, row.data.note]
        if row.tags_given and row.data.tags:
            old = sorted(t.code for t in household.tags.all())
            if old != row.data.tags:
                changes["tags"] = [old, row.data.tags]
                self.household_tag_sets[household.pk] = row.data.tags
        if changes:
            self.household_updates[household.pk] = (household, changes)
        return bool(changes)

    def resident_changes(self, resident: Resident, row: Row) -> bool:
        d = row.data
        changes = {}

        def compare(name: str, new: object, present: bool = True) -> None:
            if present and getattr(resident, name) != new:
                changes[name] = [getattr(resident, name), new]

        if _differs(resident.name, d.name, xlsx.compact):
            changes["name"] = [resident.name, d.name]
        if d.gender:
            compare("gender", d.gender)
        if d.birth_date:
            compare("birth_date", d.birth_date)
        # A blank cell says nothing: it never erases what is registered (an older or partial
        # roster must not wipe numbers entered since); clearing a value is done on the page.
        compare("ethnicity", d.ethnicity, "ethnicity" in row.present and bool(d.ethnicity))
        if d.phone and not row.phone_masked:
            compare("phone", d.phone)
        if not row.id_masked and d.id_number:  # an empty ID cell changes nothing
            compare("id_number", d.id_number)
        if row.present & {"relation"} and d.relation:
            compare("relation", d.relation)
        if d.note and row.kind == "residents" and _differs(resident.note, d.note):
            changes["note"] = [resident.note, d.note]
        if row.tags_given and d.tags and row.kind == "residents":
            old = sorted(t.code for t in resident.tags.all())
            if old != d.tags:
                changes["tags"] = [old, d.tags]
                self.tag_sets[resident.pk] = d.tags
        if changes:
            self.updates[resident.pk] = (resident, changes)
        return bool(changes)
