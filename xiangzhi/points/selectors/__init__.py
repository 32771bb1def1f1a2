"""Reads of the points app that pages and the API show, one module per sub-domain."""

from .claims import (
    claim_list,
    claims_to_review,
    notice_list,
    numbers_not_unique,
    objections_open,
    own_households,
    village_households,
)
from .ledger import account_of, entry_list, household_balance
from .rules import rule_list, rule_units, rules_for_household, township_of_actor

__all__ = [
    "account_of",
    "claim_list",
    "claims_to_review",
    "entry_list",
    "household_balance",
    "notice_list",
    "numbers_not_unique",
    "objections_open",
    "own_households",
    "rule_list",
    "rule_units",
    "rules_for_household",
    "township_of_actor",
    "village_households",
]
