"""Lists as .xlsx: the same rows for the export button and for `manage.py export_xlsx`."""

from __future__ import annotations

from xiangzhi.core.audit import audit_record
from xiangzhi.core.xlsx import write_xlsx

from . import selectors
from .actions import PeopleAction
from .xlsx import CHANGE_COLUMNS, HOUSEHOLD_COLUMNS, RESIDENT_COLUMNS

KINDS = {
    "residents": (RESIDENT_COLUMNS, selectors.resident_export_rows, "居民花名册"),
    "households": (HOUSEHOLD_COLUMNS, selectors.household_export_rows, "户籍台账"),
    "changes": (CHANGE_COLUMNS, selectors.household_change_export_rows, "人口变动台账"),
}
# The list each kind exports, as `export_xlsx` takes it (the pages add their filters).
LISTS = {
    "residents": selectors.resident_list,
    "households": selectors.household_list,
    "changes": selectors.household_change_list,
}
EXPORT_ACTIONS = {
    "residents": PeopleAction.RESIDENT_EXPORT,
    "households": PeopleAction.HOUSEHOLD_EXPORT,
    "changes": PeopleAction.HOUSEHOLD_CHANGE_EXPORT,
}
TEXT_COLUMNS = ["pk", "id_number", "phone", "household_number"]


def export_list(*, actor, kind: str, queryset, target, node=None) -> int:
    """Write the list to `target` (a path or a binary file) and audit the export."""
    columns, rows, title = KINDS[kind]
    count = write_xlsx(
        target,
        columns,
        rows(actor=actor, queryset=queryset),
        title=title,
        text_columns=TEXT_COLUMNS,
    )
    audit_record(
        actor=actor,
        action=EXPORT_ACTIONS[kind],
        object_type="people.export",
        node=node,
        object_repr=title,
        changes={"rows": count},
    )
    return count
