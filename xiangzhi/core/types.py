"""Types every app's services, selectors and access functions share."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# Whoever acts: a logged-in user, or the anonymous user a public page is served to. Core cannot
# name accounts.User (a higher app), so it types the actor by Django's base classes.
Actor: TypeAlias = "AbstractBaseUser | AnonymousUser"
