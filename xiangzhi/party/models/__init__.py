"""The party app's models, one module per sub-domain."""

from .contacts import ContactLink, ContactSettings
from .members import PartyMember
from .visits import FollowUp, Visit, VisitNeed

__all__ = ["ContactLink", "ContactSettings", "FollowUp", "PartyMember", "Visit", "VisitNeed"]
