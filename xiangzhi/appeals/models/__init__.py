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
from .disputes import Dispute, DisputeParty, MediationSession
from .menu import ServiceOffering, ServiceRequest
from .open311 import Open311Key
from .petitions import Petition
from .routing import RoutingModelRecord, RoutingRule

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
    "Dispute",
    "DisputeParty",
    "MediationSession",
    "Open311Key",
    "Petition",
    "RoutingModelRecord",
    "RoutingRule",
    "ServiceOffering",
    "ServiceRequest",
    "Kind",
    "Source",
    "State",
]
