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
