"""The party app's pages, one module per sub-domain."""

from .contacts import (
    contact_group,
    contact_link_end_view,
    contact_link_new,
    contact_settings,
    coverage,
    link_export,
    uncovered,
)
from .members import member_export, member_list, party_member_edit, party_member_register
from .visits import (
    my_households,
    need_close_view,
    need_take_view,
    needs,
    visit_export,
    visit_new,
    visit_photo,
    visits,
)

__all__ = [
    "contact_group",
    "contact_link_end_view",
    "contact_link_new",
    "contact_settings",
    "coverage",
    "link_export",
    "member_export",
    "member_list",
    "my_households",
    "need_close_view",
    "need_take_view",
    "needs",
    "party_member_edit",
    "party_member_register",
    "uncovered",
    "visit_export",
    "visit_new",
    "visit_photo",
    "visits",
]
