"""The party app's models, one module per sub-domain."""

from .contacts import ContactLink, ContactSettings
from .members import PartyMember
from .visits import FollowUp, Visit, VisitNeed, VisitPhoto

__all__ = [
    "ContactLink",
    "ContactSettings",
    "FollowUp",
    "PartyMember",
    "Visit",
    "VisitNeed",
    "VisitPhoto",
]

from .meetings import Attendance, Meeting, MeetingAttachment, MeetingKind  # noqa: E402
from .posts import Post, PostAssignment, PostEntry  # noqa: E402
from .talks import HamletTalk, OpinionOutcome, TalkAttendee, TalkOpinion  # noqa: E402
from .transfers import MembershipTransfer  # noqa: E402

__all__ += ["Attendance", "Meeting", "MeetingAttachment", "MeetingKind", "Post", "PostAssignment"]
__all__ += ["PostEntry"]
__all__ += ["HamletTalk", "OpinionOutcome", "TalkAttendee", "TalkOpinion", "MembershipTransfer"]
