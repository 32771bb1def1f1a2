"""Open311 GeoReport v2 keys: issued by an administrator, stored hashed, bound to a user."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Open311Key(models.Model):
    """An API key a client sends as `api_key`; requests it files are filed as its user."""

    name = models.CharField("用途", max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代表账号",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="以该账号的权限提交和查询诉求，一般为村干部或网格员。",
    )
    prefix = models.CharField("前缀", max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "开放诉求接口密钥"
        verbose_name_plural = "开放诉求接口密钥"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
