"""The party app's pages, one module per sub-domain."""

from .members import member_export, member_list, party_member_edit, party_member_register

__all__ = ["member_export", "member_list", "party_member_edit", "party_member_register"]
