"""Reads of the party app that pages show, one module per sub-domain."""

from .coverage import contact_settings_of, coverage_of, member_coverage, uncovered_households
from .members import (
    party_member_export_rows,
    party_member_list,
    party_member_of,
    party_organisations,
)
from .visits import (
    contact_link_of,
    days_since,
    household_contacts,
    household_follow_ups,
    household_visits,
    link_export_rows,
    link_list,
    my_contact_links,
    need_list,
    visit_export_rows,
    visit_list,
)

__all__ = [
    "contact_link_of",
    "contact_settings_of",
    "coverage_of",
    "days_since",
    "household_contacts",
    "household_follow_ups",
    "household_visits",
    "link_export_rows",
    "link_list",
    "member_coverage",
    "my_contact_links",
    "need_list",
    "party_member_export_rows",
    "party_member_list",
    "party_member_of",
    "party_organisations",
    "uncovered_households",
    "visit_export_rows",
    "visit_list",
]
