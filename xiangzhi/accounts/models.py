from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from xiangzhi.core.roles import Role
from xiangzhi.core.scope import ScopedModel


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    elder_mode = models.BooleanField("长辈模式", default=False)
    # Bumped by "log out everywhere" (and when the person leaves): part of the session hash, so
    # every session made before it no longer matches and ends at its next request.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # Set when a leader creates the account or resets its password (a one-time password): every
    # page leads to the password change and API tokens are refused until the owner picks one.
    password_change_required = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, salted with the session epoch as well."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "xiangzhi.accounts.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def check_password(self, raw_password):
        """Django's check; its rehash of an old hash (PBKDF2 to Argon2) is no password change."""
        from django.contrib.auth.hashers import check_password

        def rehash(raw):
            AbstractUser.set_password(self, raw)  # not ours: nothing is revoked
            self._password = None
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, rehash)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        # A password chosen by its owner ends the one-time password; a leader's reset sets the
        # flag again after this (services.org_accounts.account_password_reset).
        self.password_change_required = False
        # signals.on_user_saved revokes the API tokens once the new password is saved.
        self._xz_password_changed = self.pk is not None


class Department(models.Model):
    """One of the six departments (or a township office) that appeals are dispatched to."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name = "部门"
        verbose_name_plural = "部门"

    def __str__(self) -> str:
        return self.name


class RoleAssignment(ScopedModel):
    """A role of a user, bound to a grid node (or, for department staff, to a department)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    node = models.ForeignKey(
        "grid.GridNode",
        verbose_name="网格",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.CASCADE
    )
    is_grid_leader = models.BooleanField("网格长", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "node__path"

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "node"], name="uniq_role_per_node"),
        ]

    def __str__(self) -> str:
        where = self.node or self.department or ""
        return f"{self.user} · {self.get_role_display()} · {where}"


class ApiToken(ScopedModel):
    """A bearer token for /api/v1/; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=60)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # A token belongs to its user alone: nobody else's scope reaches it, whatever their grid.
    SCOPE_OWNER = "user_id"

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
