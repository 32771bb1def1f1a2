"""Reads of the party app that pages show, one module per sub-domain."""

from .members import (
    party_member_export_rows,
    party_member_list,
    party_member_of,
    party_organisations,
)

__all__ = [
    "party_member_export_rows",
    "party_member_list",
    "party_member_of",
    "party_organisations",
]
