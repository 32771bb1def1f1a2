from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

from .crypto import EncryptedTextField
from .paths import PathField
from .registry import SHEET_KINDS
from .scope import ScopedModel


class AppendOnlyQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("审计事件只能追加，不能删除")

    def update(self, **kwargs):
        raise PermissionError("审计事件只能追加，不能修改")


class AuditEvent(models.Model):
    """One append-only, hash-chained record of a write, a login or a reveal of personal data."""

    # The chain the event was appended to (its township's, the node-less one, or the legacy one)
    # and its position there: seq counts per chain, the primary key orders the whole trail.
    chain = models.ForeignKey(
        "core.AuditHead",
        verbose_name="审计链",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (chain, seq) constraint's index serves it
        related_name="+",
    )
    seq = models.BigIntegerField("序号")
    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField("操作人账号", max_length=150, blank=True)
    # Indexes in Meta: those the audit search uses, and no others (each costs every append).
    action = models.CharField("操作", max_length=80)
    object_type = models.CharField("对象类型", max_length=80, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    # The node is a reference without a constraint: an audit row must outlive anything it names.
    node = models.ForeignKey(
        "grid.GridNode",
        verbose_name="网格",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip = models.CharField("IP地址", max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        constraints = [
            # Also the index a chain is verified by and a checkpoint's event is found by.
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq"),
        ]
        indexes = [
            # The search filters by action prefix ("resident." finds every resident event).
            models.Index(fields=["action"], name="audit_action", opclasses=["varchar_pattern_ops"]),
            # By type, or by type and number (one record's history); by number alone.
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["object_id"], name="audit_object_id"),
        ]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计事件只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计事件只能追加，不能删除")


class AuditHead(models.Model):
    """The head of one audit chain: its last sequence number and hash, locked on append.

    One chain per township (key: the township's grid path), one for events without a node
    (key NO_NODE) and the frozen chain of the events written before chains were split (key
    LEGACY, pk 1). Two townships' writes lock different heads and never wait on each other.
    """

    NO_NODE = "~none"
    LEGACY = "~legacy"

    key = models.CharField("链标识", max_length=255, unique=True)
    # The township the chain belongs to when it was opened (no constraint: it outlives the node).
    node_id = models.BigIntegerField("乡镇网格", null=True, blank=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    frozen = models.BooleanField("已冻结", default=False)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"{self.key} #{self.seq}"


def validate_import_kind(value: str) -> None:
    """A registered sheet kind that imports (core.registry.SHEET_KINDS)."""
    kind = SHEET_KINDS.get(value)
    if kind is None or kind.imports is None:
        raise ValidationError(gettext("请选择表格类型"))


class ImportJob(ScopedModel):
    """A spreadsheet uploaded for import, run by the background worker; seen by its uploader."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A registered sheet kind (core.sheets); apps declare kinds, so there are no fixed choices.
    kind = models.CharField("表格类型", max_length=20, validators=[validate_import_kind])
    file_name = models.CharField("文件名", max_length=200)
    stored_as = models.CharField(max_length=300, editable=False)
    dry_run = models.BooleanField("只检查不导入", default=False)
    all_or_nothing = models.BooleanField("有错误时全部不导入", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    rows_read = models.PositiveIntegerField("已读行数", default=0)
    report = models.JSONField("导入报告", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker's task that runs it (django-tasks' result id): housekeeping fails a queued job
    # whose task is gone or ended without it. A database default too: people's migration 0012
    # copies old jobs in with a column list that predates this field.
    task_id = models.CharField(max_length=64, blank=True, editable=False, db_default="")
    # A dry run (只检查) keeps its file for a day, so that the user can import it after reading
    # the report without uploading it again; this is the job that did.
    confirmed_as = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="checked_by"
    )

    SCOPE_OWNER = "created_by_id"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"

    def __str__(self) -> str:
        return self.file_name

    @property
    def sheet_kind(self):
        """The registered kind of the sheet (None when no app declares it any more)."""
        return SHEET_KINDS.get(self.kind)

    @property
    def kind_label(self) -> str:
        """The kind as the upload form named it: 居民花名册(每人一行)."""
        kind = self.sheet_kind
        return kind.import_label if kind is not None else self.kind


class _FigureRow(models.Model):
    """What a row of either tier of the maintained figures holds (core.figures)."""

    node_id = models.BigIntegerField()
    path = PathField(max_length=255)
    key = models.CharField(max_length=64)
    period = models.CharField(max_length=7, blank=True, default="")
    value = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.path} {self.key} {self.period}"


class FigureCount(_FigureRow):
    """One maintained figure of one node at the maintained level (core.figures): the count of a
    registered figure over the node's subtree (`period` '' for a standing count, 'YYYY-MM' for a
    figure per month). Nodes above that level keep rows for the records hanging on them alone.
    A page sums the rows of a subtree by a range on `path`, a copy of the node's path."""

    class Meta:
        verbose_name = "统计数"
        verbose_name_plural = "统计数"
        constraints = [
            models.UniqueConstraint(fields=["node_id", "key", "period"], name="uniq_figure_row")
        ]
        # The page reads a subtree's rows by path range and sums them: an index-only range scan.
        indexes = [models.Index(fields=["path", "key", "period", "value"], name="figure_path")]


class FigureFineCount(_FigureRow):
    """The fine tier of the maintained figures (core.figures): the count of a registered figure
    over the records hanging on this very node (not its subtree). A write recounts the fine rows
    of the nodes it touched (tens of records each) and adds the difference to the FigureCount
    rows, which pages read; verify_figures checks both tiers against the records."""

    class Meta:
        verbose_name = "网格统计数"
        verbose_name_plural = "网格统计数"
        constraints = [
            models.UniqueConstraint(fields=["node_id", "key", "period"], name="uniq_figure_fine")
        ]
        indexes = [models.Index(fields=["path", "key", "period", "value"], name="figure_fine_path")]


class WorkdayOverride(models.Model):
    """A local change to the working-day calendar (core.workdays): it wins over chinese_calendar,
    and past the library's data it is how a year's holidays and make-up workdays are entered."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField(
        "是否工作日", help_text="勾选为上班（调休工作日），不勾选为放假"
    )
    note = models.CharField(
        "说明", max_length=100, blank=True, help_text="例如：国庆节、国庆调休上班"
    )

    class Meta:
        ordering = ["day"]
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"

    def __str__(self) -> str:
        kind = gettext("上班") if self.is_workday else gettext("放假")
        return f"{self.day:%Y-%m-%d} {kind}"


class WorkdayYear(models.Model):
    """A year whose statutory holidays an administrator has entered as WorkdayOverride rows, so
    that the calendar counts as known (core.workdays.calendar_known) past the library's data."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = "已录入节假日的年份"
        verbose_name_plural = "已录入节假日的年份"

    def __str__(self) -> str:
        return f"{self.year}"


class Notification(ScopedModel):
    """One message in a user's in-app inbox (core.notify.notify); seen by its recipient only."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)  # a path inside the site
    event = models.CharField("事件", max_length=80, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    SCOPE_OWNER = "recipient_id"

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        indexes = [
            # The badge counts a user's unread rows; the inbox lists a user's rows newest first.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title


class WebhookEndpoint(models.Model):
    """An outbound webhook a deployment configures (core.notify.webhook_emit): where the events
    of a grid subtree are posted, as a WeCom group robot's markdown or as generic JSON."""

    class Format(models.TextChoices):
        WECOM = "wecom", "企业微信群机器人"
        JSON = "json", "通用JSON"

    name = models.CharField("名称", max_length=100)
    # The URL holds the robot's key (WeCom puts it in the query string): kept encrypted.
    url = EncryptedTextField("推送地址", validators=[URLValidator(schemes=["http", "https"])])
    format = models.CharField("格式", max_length=10, choices=Format.choices, default=Format.WECOM)
    node = models.ForeignKey(
        "grid.GridNode",
        verbose_name="服务网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="只推送该网格及其下级网格的事件；留空则推送全部网格的事件",
    )
    events = models.TextField(
        "事件",
        blank=True,
        help_text="要推送的事件名，每行一个或以逗号分隔；留空则推送全部事件",
    )
    active = models.BooleanField("启用", default=True)
    secret = EncryptedTextField(
        "签名密钥",
        blank=True,
        help_text="仅用于通用JSON格式：填写后每次推送附带 X-Xiangzhi-Signature 签名头（HMAC-SHA256）",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "消息推送地址"
        verbose_name_plural = "消息推送地址"

    def __str__(self) -> str:
        return self.name

    def event_names(self) -> set[str]:
        """The events it wants (empty: all)."""
        return {e.strip() for e in self.events.replace(",", "\n").splitlines() if e.strip()}


class WebhookDelivery(models.Model):
    """One event to post to one endpoint, tried with backoff until sent or dead (core.webhooks)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        DEAD = "dead", "发送失败"

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name="推送地址", on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField("事件", max_length=80)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    node_id = models.BigIntegerField("网格", null=True, blank=True)
    node_name = models.CharField("网格名称", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", default=timezone.now)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送成功时间", null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField("最近响应码", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "消息推送记录"
        verbose_name_plural = "消息推送记录"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.endpoint_id} {self.event} {self.title}"
