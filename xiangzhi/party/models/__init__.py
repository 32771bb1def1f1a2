"""The party app's models, one module per sub-domain."""

from .members import PartyMember

__all__ = ["PartyMember"]
