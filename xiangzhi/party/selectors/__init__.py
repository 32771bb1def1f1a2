"""Reads of the party app that pages show, one module per sub-domain."""

from .coverage import (
    contact_settings_of,
    coverage_of,
    kept_coverage,
    member_coverage,
    uncovered_households,
)
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
    "kept_coverage",
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

from .meetings import (  # noqa: E402
    meeting_export_rows,
    meeting_list,
    meeting_organisations,
    meeting_roll,
    member_attendance,
    overdue_branches,
)
from .posts import (  # noqa: E402
    assignable_members,
    members_without_post,
    my_assignments,
    post_assignments,
    post_entries,
    post_list,
)
from .talks import (  # noqa: E402
    hamlet_talk_list,
    open_opinions,
    talk_attendees,
    talk_opinions,
    village_names,
)
from .transfers import member_transfers  # noqa: E402

__all__ += ["meeting_export_rows", "meeting_list", "meeting_organisations", "meeting_roll"]
__all__ += ["member_attendance", "overdue_branches", "assignable_members"]
__all__ += ["members_without_post", "my_assignments", "post_assignments", "post_entries"]
__all__ += ["post_list", "hamlet_talk_list", "open_opinions", "talk_attendees"]
__all__ += ["talk_opinions", "village_names", "member_transfers"]
