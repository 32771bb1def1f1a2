"""A new or reset account changes its one-time password before anything else."""

from __future__ import annotations

from django.shortcuts import redirect

# What an account with a one-time password may still open: the change itself, logging out, the
# elder-mode switch (an elder may need large print to read the form).
ALLOWED = {"accounts:password_change", "logout", "accounts:elder_mode", "login"}


class PasswordChangeRequired:
    """Send every page of an account with User.password_change_required to the change form.

    The API refuses such an account's tokens (services.api_token_user), so there is no other way
    in; a reset revokes the tokens anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(user, "password_change_required", False):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED:
            return None
        if request.path.startswith(("/static/", "/healthz", "/api/")):
            return None
        return redirect("accounts:password_change")
