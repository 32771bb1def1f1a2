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
from .visits import (
    VisitEntry,
    household_changed,
    need_close,
    need_take,
    visit_photos_add,
    visit_record,
    visits_record_day,
)

__all__ = [
    "VisitEntry",
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
    "visit_photos_add",
    "visit_record",
    "visits_record_day",
]

from .meetings import (  # noqa: E402
    meeting_attachment_delete,
    meeting_cancel,
    meeting_plan,
    meeting_plan_year,
    meeting_record,
)
from .posts import (  # noqa: E402
    post_assign,
    post_assignment_end,
    post_create,
    post_defaults_add,
    post_entry_record,
)
from .talks import hamlet_talk_record, opinion_add, opinion_resolve, opinion_take  # noqa: E402
from .transfers import (  # noqa: E402
    MEMBER_LEFT_HOOKS,
    party_member_transfer_in,
    party_member_transfer_out,
    register_member_left_hook,
)

__all__ += ["meeting_attachment_delete", "meeting_cancel", "meeting_plan", "meeting_plan_year"]
__all__ += ["meeting_record"]
__all__ += ["post_assign", "post_assignment_end", "post_create", "post_defaults_add"]
__all__ += ["post_entry_record", "hamlet_talk_record", "opinion_add", "opinion_resolve"]
__all__ += ["opinion_take", "party_member_transfer_in", "party_member_transfer_out"]
__all__ += ["MEMBER_LEFT_HOOKS", "register_member_left_hook"]
