from django.db import models

from xiangzhi.core.scope import ScopedModel


class Notice(ScopedModel):
    """A note pinned to a grid node."""

    node = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("标题", max_length=60)

    SCOPE_PATH = "node__path"

    class Meta:
        app_label = "contract"
        verbose_name = "便签"

    def __str__(self) -> str:
        return self.title
