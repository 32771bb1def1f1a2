"""The appeals app's models, one module per sub-domain."""

from .appeals import (
    DONE_STATES,
    OPEN_STATES,
    STEP_OVERDUE,
    STEP_REMIND,
    STEP_REPLY,
    STEP_SUBMIT,
    Appeal,
    AppealEvent,
    AppealPhoto,
    AppealRating,
    Kind,
    Source,
    State,
)
from .config import AppealDeadlineRule

__all__ = [
    "DONE_STATES",
    "OPEN_STATES",
    "STEP_OVERDUE",
    "STEP_REMIND",
    "STEP_REPLY",
    "STEP_SUBMIT",
    "Appeal",
    "AppealDeadlineRule",
    "AppealEvent",
    "AppealPhoto",
    "AppealRating",
    "Kind",
    "Source",
    "State",
]
