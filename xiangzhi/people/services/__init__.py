"""Every write on the registry. `registry` holds the single-record services, `imports` the
batch services behind spreadsheet imports."""

from .registry import (  # noqa: F401
    HOUSEHOLD_FIELDS,
    RESIDENT_FIELDS,
    REVEAL_FIELDS,
    ResidentData,
    household_change_head,
    household_register,
    household_split,
    household_update,
    resident_add,
    resident_build,
    resident_clean,
    resident_move_out,
    resident_record_death,
    resident_reveal,
    resident_update,
    resident_validate,
)
