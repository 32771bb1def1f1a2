"""Every write of the appeals app, one module per sub-domain."""

from .deadlines import appeal_deadline_sweep
from .imports import appeal_import
from .needs import appeal_from_need, appeal_from_opinion
from .ratings import appeal_follow_up, appeal_rate
from .steps import (
    appeal_accept,
    appeal_assign,
    appeal_close,
    appeal_comment,
    appeal_dispatch,
    appeal_escalate,
    appeal_merge,
    appeal_reopen,
    appeal_reply,
    appeal_start,
    appeal_step,
    appeal_supervise,
    appeal_transfer,
)
from .submit import appeal_submit

__all__ = [
    "appeal_accept",
    "appeal_assign",
    "appeal_close",
    "appeal_comment",
    "appeal_deadline_sweep",
    "appeal_dispatch",
    "appeal_escalate",
    "appeal_follow_up",
    "appeal_from_need",
    "appeal_from_opinion",
    "appeal_import",
    "appeal_merge",
    "appeal_rate",
    "appeal_reopen",
    "appeal_reply",
    "appeal_start",
    "appeal_step",
    "appeal_submit",
    "appeal_supervise",
    "appeal_transfer",
]
