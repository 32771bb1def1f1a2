"""设岗定责: a village's posts for members without office, who holds them, and what they did."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiangzhi.core.scope import ScopedModel

# The posts every village is offered at first (DOMAIN.md: "虽无职，但有为"); a village adds its own.
DEFAULT_POSTS = (
    ("政策宣传岗", "向群众宣讲党的政策和村里的重要事项。"),
    ("环境监督岗", "督促房前屋后整洁，发现人居环境问题及时报告。"),
    ("矛盾调解岗", "调解邻里纠纷，化解矛盾于萌芽。"),
    ("治安巡逻岗", "参加巡逻，发现安全隐患及时报告。"),
    ("帮扶关爱岗", "关心独居老人、留守儿童和困难群众。"),
)


class Post(ScopedModel):
    """A post (岗位) in a village's catalogue."""

    node = models.ForeignKey(
        "grid.GridNode", verbose_name="所属村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("岗位名称", max_length=40)
    duty = models.TextField("岗位职责", blank=True)
    is_default = models.BooleanField("默认岗位", default=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "node__path"
    # A member (and their household) sees the posts they hold or held.
    SCOPE_HOUSEHOLD = "assignments__member__resident__household_id"

    class Meta:
        verbose_name = "党员岗位"
        verbose_name_plural = "党员岗位"
        ordering = ["node__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["node", "name"], name="party_post_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PostAssignment(ScopedModel):
    """A member holding a post, from a day (to a day, once they leave it)."""

    post = models.ForeignKey(
        Post, verbose_name="岗位", on_delete=models.PROTECT, related_name="assignments"
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name="党员",
        on_delete=models.PROTECT,
        related_name="post_assignments",
    )
    started_on = models.DateField("认岗日期")
    ended_on = models.DateField("离岗日期", null=True, blank=True)
    pledge = models.CharField("认岗承诺", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "post__node__path"
    SCOPE_HOUSEHOLD = "member__resident__household_id"

    class Meta:
        verbose_name = "党员认岗"
        verbose_name_plural = "党员认岗"
        ordering = ["post_id", "id"]
        constraints = [
            # One open holding of a post per member; a member may take it again after leaving.
            models.UniqueConstraint(
                fields=["post", "member"],
                condition=models.Q(ended_on__isnull=True),
                name="party_post_one_open_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.member}"


class PostEntry(ScopedModel):
    """What a member did on their post (履职记录)."""

    assignment = models.ForeignKey(
        PostAssignment, verbose_name="认岗", on_delete=models.PROTECT, related_name="entries"
    )
    done_on = models.DateField("日期")
    content = models.CharField("履职内容", max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "assignment__post__node__path"
    SCOPE_HOUSEHOLD = "assignment__member__resident__household_id"

    class Meta:
        verbose_name = "履职记录"
        verbose_name_plural = "履职记录"
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["assignment", "done_on"], name="party_entry_by_day")]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.done_on}"
