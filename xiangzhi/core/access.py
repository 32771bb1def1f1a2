"""Loaders of core's own pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from .scope import scope_for
from .types import Actor


def access_audit_trail(actor: Actor) -> None:
    """Let through only the roles that read the audit trail (403 for the others)."""
    if not scope_for(actor).can_audit:
        raise PermissionDenied(gettext("只有总网格长、镇干部和审计人员可以查看审计日志"))
