"""Every write of the party app, one module per sub-domain."""

from .members import party_member_register, party_member_update

__all__ = ["party_member_register", "party_member_update"]
