"""What posts, organisational life, hamlet talks and transfers register with core; called from
PartyConfig.ready() (kept apart from the members' registrations so the two grow side by side)."""

from __future__ import annotations


def register() -> None:
    from xiangzhi.core.registry import (
        register_actions,
        register_entity,
        register_nav,
        register_panel,
        register_sheet_kind,
    )

    from . import models
    from .actions import OrgLifeAction
    from .panels_orglife import orglife_panel, workbench_panel
    from .sheets_meetings import PARTY_MEETINGS

    for name, model in (
        ("post", models.Post),
        ("post_assignment", models.PostAssignment),
        ("post_entry", models.PostEntry),
        ("meeting", models.Meeting),
        ("meeting_attachment", models.MeetingAttachment),
        ("attendance", models.Attendance),
        ("hamlet_talk", models.HamletTalk),
        ("talk_attendee", models.TalkAttendee),
        ("talk_opinion", models.TalkOpinion),
        ("membership_transfer", models.MembershipTransfer),
    ):
        register_entity(name, model)
    register_actions(OrgLifeAction)
    register_panel("people.resident", "party_orglife", "party/panels/orglife.html", orglife_panel)
    register_panel("workbench", "party_my_work", "party/panels/my_work.html", workbench_panel)
    register_sheet_kind(PARTY_MEETINGS)
    register_nav("party_meetings", "组织生活", "party:meeting_index", order=41, visible=_may_list)
    register_nav("party_posts", "设岗定责", "party:post_catalogue", order=42, visible=_may_list)
    register_nav("party_talks", "屋场恳谈会", "party:talk_index", order=43, visible=_may_list)
    register_nav("party_mine", "我的党务", "party:my_party_work", order=44, visible=_is_member)


def _may_list(user) -> bool:
    """The cadres' pages: for users bound to grid nodes (cadres, workers, auditors)."""
    from xiangzhi.core.scope import scope_for

    scope = scope_for(user)
    return scope.superuser or bool(scope.read_paths)


def _is_member(user) -> bool:
    """我的党务: for a user holding the party member role."""
    from xiangzhi.core.roles import Role
    from xiangzhi.core.scope import scope_for

    return any(role == Role.PARTY_MEMBER for role, _, _ in scope_for(user).bindings)
