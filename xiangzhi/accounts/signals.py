"""Login successes and failures go into the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from xiangzhi.core.audit import audit_record
from xiangzhi.core.scope import home_node

from .actions import AccountsAction
from .models import User


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    # Filed under the account's topmost bound node: its township's chain, read by its auditors.
    audit_record(actor=user, action=AccountsAction.USER_LOGIN, obj=user, node=home_node(user))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    # A try that a lock refused is no wrong password: filed apart, so the failures stay countable.
    # Axes marks a refused try before authenticating and records no failure for it; a wrong
    # password that reaches the limit is recorded (axes_failures_since_start) and then marked.
    locked = (
        bool(getattr(request, "axes_locked_out", False))
        and getattr(request, "axes_failures_since_start", None) is None
    )
    known = User.objects.filter(username=username).first()
    audit_record(
        actor=None,
        action=AccountsAction.USER_LOGIN_LOCKED if locked else AccountsAction.USER_LOGIN_FAILED,
        node=home_node(known),  # an unknown name stays node-less
        object_type="accounts.user",
        object_id=str(known.pk) if known else "",
        object_repr=username,
        changes={"username": username},
    )


@receiver(post_save, sender="accounts.User")
def on_user_saved(sender, instance, created, **kwargs):
    """A saved password change (the page, the admin or `changepassword`) revokes API tokens."""
    if getattr(instance, "_xz_password_changed", False) and not created:
        from .services import password_changed

        instance._xz_password_changed = False
        password_changed(user=instance)
