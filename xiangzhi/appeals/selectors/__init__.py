"""Reads of the appeals app that pages and the API show, one module per sub-domain."""

from .appeals import (
    FILTER_STATES,
    appeal_by_number,
    appeal_list,
    appeal_timeline,
    assignee_choices,
    awaiting_opinions,
    department_choices,
    due_soon,
    household_appeals,
    household_by_number,
    merge_choices,
    open_needs,
    overdue_count,
    record_node_choices,
    sees_internal,
    transfer_choices,
)
from .boards import overdue_board, satisfaction

__all__ = [
    "FILTER_STATES",
    "appeal_by_number",
    "appeal_list",
    "appeal_timeline",
    "assignee_choices",
    "department_choices",
    "due_soon",
    "household_appeals",
    "household_by_number",
    "merge_choices",
    "awaiting_opinions",
    "open_needs",
    "overdue_board",
    "overdue_count",
    "record_node_choices",
    "satisfaction",
    "sees_internal",
    "transfer_choices",
]
