"""The workbench (工作台): the landing page after login, made of the panels apps register.

Core builds one `Desk` per request, the user's scope seen as the groups of roles the panels
serve (cadres, field workers, a household, a department), and renders the panels registered
for the place "workbench" (core.registry.register_panel) with it as their `obj`. Each panel's
context function returns None when the desk is none of its business, so a role sees only its
own panels and a later app (points, appeals, visits) adds its to-dos and figures by registering
a panel, without editing this page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from .roles import CADRE_ROLES, FIELD_ROLES, HOUSEHOLD_ROLES, Role
from .scope import Scope, scope_for


@dataclass
class Desk:
    """What the panels of one user's workbench are built from."""

    user: Any
    scope: Scope
    today: dt.date
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def roles(self) -> set[str]:
        return {role for role, _, _ in self.scope.bindings}

    @property
    def leads(self) -> bool:
        """A cadre or leader who keeps the registry of a subtree (or a superuser)."""
        return self.scope.superuser or bool(self.roles & CADRE_ROLES)

    @property
    def oversees(self) -> bool:
        """Sees a subtree's figures: the cadres, and the read-only auditors."""
        return self.leads or Role.AUDITOR in self.roles

    @property
    def in_field(self) -> bool:
        """A grid worker or hamlet group leader: the households of their grids."""
        return bool(self.roles & FIELD_ROLES)

    @property
    def in_household(self) -> bool:
        """A villager or party member: their own household."""
        return bool(self.roles & HOUSEHOLD_ROLES) and bool(self.scope.household_ids)

    @property
    def in_department(self) -> bool:
        """Department staff: what their department serves and what is dispatched to it."""
        return Role.DEPARTMENT_STAFF in self.roles

    def paths(self, roles) -> tuple[str, ...]:
        """The subtrees bound to any of `roles`, nested ones dropped."""
        return self.scope.paths(roles)

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """Build a value once per page for every panel that needs it (a roll-up, a node list)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]


def desk_for(user) -> Desk:
    """The desk of a logged-in user, dated today (Asia/Shanghai)."""
    return Desk(user=user, scope=scope_for(user), today=timezone.localdate())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)
