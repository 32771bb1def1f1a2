"""The points app's pages, one module per sub-domain."""

from .claims import (
    claim_batch,
    claim_detail,
    claim_list,
    claim_new,
    claim_photo,
    claim_review,
    claim_withdraw_view,
)
from .ledger import entry_list, entry_reverse_view
from .rules import policy_edit, rule_edit, rule_list, rule_new, rule_retire_view
from .villager import apply, notice_list, objection_new

__all__ = [
    "apply",
    "claim_batch",
    "claim_detail",
    "claim_list",
    "claim_new",
    "claim_photo",
    "claim_review",
    "claim_withdraw_view",
    "entry_list",
    "entry_reverse_view",
    "notice_list",
    "objection_new",
    "policy_edit",
    "rule_edit",
    "rule_list",
    "rule_new",
    "rule_retire_view",
]
