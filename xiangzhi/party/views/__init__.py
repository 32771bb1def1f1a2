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

from .meetings import (  # noqa: E402
    meeting_attachment,
    meeting_attachment_delete,
    meeting_cancel,
    meeting_create,
    meeting_detail,
    meeting_export,
    meeting_index,
    meeting_overdue,
    meeting_plan_year,
)
from .posts import (  # noqa: E402
    members_without_posts,
    my_party_work,
    post_assignment_end,
    post_catalogue,
    post_create,
    post_defaults,
    post_detail,
    post_entry_create,
)
from .talks import (  # noqa: E402
    opinion_open_list,
    opinion_resolve,
    opinion_take,
    talk_create,
    talk_detail,
    talk_index,
)
from .transfers import transfer_in, transfer_out  # noqa: E402

__all__ += ["meeting_attachment", "meeting_attachment_delete", "meeting_cancel", "meeting_create"]
__all__ += ["meeting_detail"]
__all__ += ["meeting_export", "meeting_index", "meeting_overdue", "meeting_plan_year"]
__all__ += ["members_without_posts", "my_party_work", "post_assignment_end", "post_catalogue"]
__all__ += ["post_create", "post_defaults", "post_detail", "post_entry_create"]
__all__ += ["opinion_open_list", "opinion_resolve", "opinion_take", "talk_create", "talk_detail"]
__all__ += ["talk_index"]
__all__ += ["transfer_in", "transfer_out"]
