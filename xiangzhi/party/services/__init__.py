"""Every write of the party app, one module per sub-domain."""

from .contacts import (
    contact_link_add,
    contact_link_end,
    contact_link_group,
    contact_links_end_for_household,
    contact_links_end_for_member,
    contact_settings_update,
)
from .members import party_member_register, party_member_update
from .visits import household_changed, need_close, need_take, visit_record

__all__ = [
    "contact_link_add",
    "contact_link_end",
    "contact_link_group",
    "contact_links_end_for_household",
    "contact_links_end_for_member",
    "contact_settings_update",
    "household_changed",
    "need_close",
    "need_take",
    "party_member_register",
    "party_member_update",
    "visit_record",
]
