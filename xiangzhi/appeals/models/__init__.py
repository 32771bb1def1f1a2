"""The appeals app's models, one module per sub-domain."""

from .appeals import (
    DONE_STATES,
    OPEN_STATES,
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
    "Appeal",
    "AppealDeadlineRule",
    "AppealEvent",
    "AppealPhoto",
    "AppealRating",
    "Kind",
    "Source",
    "State",
]
