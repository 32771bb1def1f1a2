"""The appeals app's pages, one module per sub-domain."""

from .appeals import (
    appeal_detail,
    appeal_from_need_view,
    appeal_from_opinion_view,
    appeal_list_view,
    appeal_new,
    appeal_photo,
    appeal_record,
)
from .boards import overdue, satisfaction_view
from .steps import STEPS, appeal_step_view

__all__ = [
    "STEPS",
    "appeal_detail",
    "appeal_from_need_view",
    "appeal_from_opinion_view",
    "appeal_list_view",
    "appeal_new",
    "appeal_photo",
    "appeal_record",
    "appeal_step_view",
    "overdue",
    "satisfaction_view",
]
