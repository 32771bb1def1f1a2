"""Appeals (群众诉求): the appeal, its photos, its timeline and its ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiangzhi.core.scope import ScopedModel


class Kind(models.TextChoices):
    INQUIRY = "inquiry", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    SUGGESTION = "suggestion", "建议"
    REPORT = "report", "反映"


class Source(models.TextChoices):
    H5 = "h5", "手机页面"
    GROUP_CHAT = "group_chat", "网格微信群"
    PHONE = "phone", "电话"
    WALK_IN = "walk_in", "来访"
    PATROL = "patrol", "网格巡查"
    HAMLET_TALK = "hamlet_talk", "屋场恳谈会"
    VISIT_NEED = "visit_need", "入户走访"
    SERVICE_MENU = "service_menu", "菜单式服务"


class State(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    ACCEPTED = "accepted", "已受理"
    ASSIGNED = "assigned", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    REPLIED = "replied", "已答复"
    RATED = "rated", "已评价"
    CLOSED = "closed", "已办结"
    MERGED = "merged", "已合并"


# Timeline steps that are no transition of the workflow (workflow.TRANSITIONS names the others).
STEP_SUBMIT, STEP_REMIND, STEP_OVERDUE, STEP_REPLY = "submit", "remind", "overdue", "reply"

# States in which an appeal still waits on someone (the overdue board, the deadline task).
OPEN_STATES = (State.SUBMITTED, State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS)
DONE_STATES = (State.REPLIED, State.RATED, State.CLOSED)


class Appeal(ScopedModel):
    """One appeal of a villager (or a patrol's finding), from submission to a rated result.

    `node` is the grid node responsible for it now: the requester's household node at first,
    another after a transfer or an escalation (the scope and the figures follow it);
    `origin_node` is where it was raised and never changes.
    """

    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.HELP)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.H5)
    text = models.TextField("诉求内容", max_length=2000)
    household = models.ForeignKey(
        "people.Household",
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name="诉求人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    node = models.ForeignKey(
        "grid.GridNode", verbose_name="责任网格", on_delete=models.PROTECT, related_name="appeals"
    )
    origin_node = models.ForeignKey(
        "grid.GridNode",
        verbose_name="提出网格",
        on_delete=models.PROTECT,
        related_name="+",
    )
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.SUBMITTED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_appeals",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("提出时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # The deadline to reply, in working days from the submission (AppealDeadlineRule per kind).
    deadline = models.DateTimeField("办理时限", null=True, blank=True)
    # Set once by the deadline task (idempotent): the reminder went out, the appeal went overdue.
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    overdue = models.BooleanField("已超期", default=False)
    escalated_at = models.DateTimeField("超期上报时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="合并到",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # 督办: the township's supervision, a flag and its note shown to whoever handles it.
    supervised = models.BooleanField("督办", default=False)
    supervision_note = models.CharField("督办意见", max_length=500, blank=True)
    supervised_at = models.DateTimeField("督办时间", null=True, blank=True)
    # The last rating's score, kept here for lists and figures (1-5; null when not rated).
    score = models.PositiveSmallIntegerField("评分", null=True, blank=True)
    is_synthetic = models.BooleanField("演示数据", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "node__path"
    SCOPE_HOUSEHOLD = "household_id"
    SCOPE_DEPARTMENT = "department_id"
    # The person it is assigned to sees and handles it wherever in the village they are bound.
    SCOPE_OWNER = "assignee_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "群众诉求"
        verbose_name_plural = "群众诉求"
        indexes = [
            models.Index(fields=["node", "state"], name="appeal_node_state"),
            models.Index(fields=["state", "deadline"], name="appeal_state_deadline"),
            models.Index(fields=["department", "state"], name="appeal_department_state"),
            models.Index(fields=["assignee", "state"], name="appeal_assignee_state"),
            models.Index(fields=["household", "created_at"], name="appeal_household"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"

    @property
    def number(self) -> str:
        """The reference a villager quotes: 诉求 and the number, e.g. SQ000123."""
        return f"SQ{self.pk or 0:06d}"

    @property
    def summary(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 30 else text[:30] + "…"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def photo_path(instance: AppealPhoto, filename: str) -> str:
    """Store a photo under its appeal, with a fixed extension (never the uploaded name)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"appeals/{instance.appeal_id}/{instance.token}.{ext}"


class AppealPhoto(ScopedModel):
    """A photo of an appeal (from the phone page or a cadre's record), served after a scope check."""

    appeal = models.ForeignKey(
        Appeal, verbose_name="诉求", on_delete=models.CASCADE, related_name="photos"
    )
    token = models.CharField(max_length=32, editable=False)
    file = models.FileField("照片", upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "appeal__node__path"
    SCOPE_HOUSEHOLD = "appeal__household_id"
    SCOPE_DEPARTMENT = "appeal__department_id"
    SCOPE_OWNER = "appeal__assignee_id"

    class Meta:
        ordering = ["id"]
        verbose_name = "诉求照片"
        verbose_name_plural = "诉求照片"

    def __str__(self) -> str:
        return f"{self.appeal.number} 照片"


class AppealEvent(ScopedModel):
    """One step of an appeal's timeline: who, when, from which state to which, and a note.

    An internal note (`internal`) is shown to staff only, never to the requester.
    """

    appeal = models.ForeignKey(
        Appeal, verbose_name="诉求", on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("时间")
    action = models.CharField("环节", max_length=30)
    from_state = models.CharField("原状态", max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=20, choices=State.choices, blank=True)
    note = models.TextField("说明", blank=True)
    internal = models.BooleanField("内部备注", default=False)
    # Where a step sent the appeal (an assignee, a department, a node), for the timeline's words.
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="交办给",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_department = models.ForeignKey(
        "accounts.Department",
        verbose_name="派至部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_node = models.ForeignKey(
        "grid.GridNode",
        verbose_name="转至网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    SCOPE_PATH = "appeal__node__path"
    SCOPE_HOUSEHOLD = "appeal__household_id"
    SCOPE_DEPARTMENT = "appeal__department_id"
    SCOPE_OWNER = "appeal__assignee_id"

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "诉求办理记录"
        verbose_name_plural = "诉求办理记录"
        indexes = [models.Index(fields=["appeal", "at"], name="appeal_event_timeline")]

    def __str__(self) -> str:
        return f"{self.appeal.number} {self.action}"


class AppealRating(ScopedModel):
    """The requester's rating of a result (on the phone, or taken on a follow-up call, 回访).

    The handler, department and node are copied from the appeal when it is rated, so that
    satisfaction per person, department and node reads this table alone.
    """

    class Via(models.TextChoices):
        REQUESTER = "requester", "群众自评"
        FOLLOW_UP = "follow_up", "电话回访"

    appeal = models.ForeignKey(
        Appeal, verbose_name="诉求", on_delete=models.CASCADE, related_name="ratings"
    )
    round = models.PositiveSmallIntegerField("轮次", default=0)
    score = models.PositiveSmallIntegerField("评分")
    comment = models.CharField("评价意见", max_length=500, blank=True)
    via = models.CharField("评价方式", max_length=20, choices=Via.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评价登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    node = models.ForeignKey(
        "grid.GridNode", verbose_name="责任网格", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("评价时间")

    SCOPE_PATH = "node__path"
    SCOPE_HOUSEHOLD = "appeal__household_id"
    SCOPE_DEPARTMENT = "department_id"

    SATISFIED_FROM = 4  # a score of 4 or 5 counts as satisfied (满意); 1-2 may reopen

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "群众评价"
        verbose_name_plural = "群众评价"
        constraints = [
            models.UniqueConstraint(fields=["appeal", "round"], name="uniq_rating_per_round"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal.number} {self.score}分"
