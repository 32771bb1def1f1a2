from __future__ import annotations

from django.conf import settings
from django.db import models

from xiangzhi.core.paths import SEGMENT, PathField
from xiangzhi.core.scope import ScopedModel
from xiangzhi.core.validators import validate_division_code


def path_segment(pk: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    n = pk
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    out = out or "0"
    if len(out) > SEGMENT:
        raise ValueError("grid node id too large for a path segment")
    return out.rjust(SEGMENT, "0")


def level_name(level: int) -> str:
    names = getattr(settings, "XIANGZHI_GRID_LEVELS", {})
    return names.get(level) or names.get(str(level)) or f"{level}级网格"


class GridNode(ScopedModel):
    """A node of the five-level grid; `path` is the materialised path of fixed-width segments."""

    parent = models.ForeignKey(
        "self",
        verbose_name="上级网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField("层级", db_index=True)
    name = models.CharField("名称", max_length=100)
    code = models.CharField(
        "区划代码",
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_division_code],
    )
    path = PathField(max_length=255, db_index=True, editable=False)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "path"

    class Meta:
        ordering = ["path"]
        verbose_name = "网格节点"
        verbose_name_plural = "网格节点"
        indexes = [models.Index(fields=["level", "path"])]
        constraints = [
            # A path of names (村/支部/屋场/中心户) in a sheet must lead to exactly one node.
            models.UniqueConstraint(fields=["parent", "name"], name="uniq_grid_sibling_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level_name(self) -> str:
        return level_name(self.level)

    def ancestor_path_at(self, level: int) -> str:
        """The path of this node's ancestor at `level` (its own path when level is deeper)."""
        depth = len(self.path) // SEGMENT
        root_level = self.level - depth + 1
        segments = max(1, min(depth, level - root_level + 1))
        return self.path[: segments * SEGMENT]

    def ancestor_paths(self) -> list[str]:
        return [self.path[:i] for i in range(SEGMENT, len(self.path), SEGMENT)]
