"""Every write on the registry: `registry` holds the single-record services, `household_changes`
the splits and head changes, `resident_data` the cleaning every write shares, and `imports` the
batch services behind spreadsheet imports."""

from .household_changes import household_change_head, household_split  # noqa: F401
from .registry import (  # noqa: F401
    REVEAL_FIELDS,
    household_register,
    household_update,
    resident_add,
    resident_move_out,
    resident_number_search,
    resident_record_death,
    resident_reveal,
    resident_update,
)
from .resident_data import (  # noqa: F401
    HOUSEHOLD_FIELDS,
    RESIDENT_FIELDS,
    ResidentData,
    resident_build,
    resident_clean,
    resident_validate,
)
