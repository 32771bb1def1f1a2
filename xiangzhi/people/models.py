from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from xiangzhi.core.crypto import (
    EncryptedTextField,
    blind_index,
    last4_index,
    mask_id_number,
    mask_phone,
)
from xiangzhi.core.scope import ScopedModel

from .pinyin import name_pinyin


class Tag(models.Model):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40)
    # The departments that serve the people and households carrying this tag (民政: 低保户 ...):
    # their staff see those records in the subtree they are bound to (core.scope SCOPE_SERVED_BY).
    departments = models.ManyToManyField(
        "accounts.Department", verbose_name="服务部门", blank=True, related_name="tags"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "标签"
        verbose_name_plural = "标签"

    def __str__(self) -> str:
        return self.name


class Household(ScopedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "在册"
        MOVED_OUT = "moved_out", "已迁出"
        DISSOLVED = "dissolved", "已注销"

    node = models.ForeignKey(
        "grid.GridNode",
        verbose_name="所属网格",
        on_delete=models.PROTECT,
        related_name="households",
    )
    number = models.CharField("户编号", max_length=40, blank=True, db_index=True)
    address = models.CharField("家庭住址", max_length=200)
    head = models.ForeignKey(
        "Resident",
        verbose_name="户主",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    is_central_household = models.BooleanField("党员中心户", default=False)
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="households")
    note = models.CharField("备注", max_length=200, blank=True)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "node__path"
    SCOPE_HOUSEHOLD = "id"
    SCOPE_SERVED_BY = "tags__departments"

    class Meta:
        ordering = ["node__path", "id"]
        verbose_name = "户"
        verbose_name_plural = "户"
        # A node's figures are recounted on each write (core/figures.py): an index range.
        indexes = [models.Index(fields=["node", "status"], name="household_node_status")]

    def __str__(self) -> str:
        return self.number or self.address

    @property
    def living_head(self) -> Resident | None:
        """The head while still registered here: one who died or moved out is never shown as
        户主 (a household whose last member left keeps them as `head`, for its history)."""
        head = self.head if self.head_id else None
        return head if head is not None and head.status == Resident.Status.ACTIVE else None

    @property
    def title(self) -> str:
        """What the household page calls it: 沈英志户 V01-00001 (its address without a head)."""
        head = self.living_head
        name = f"{head.name}户" if head is not None else self.address
        return f"{name} {self.number}" if self.number else name


class Resident(ScopedModel):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Status(models.TextChoices):
        ACTIVE = "active", "在册"
        MOVED_OUT = "moved_out", "已迁出"
        DECEASED = "deceased", "已死亡"

    class Relation(models.TextChoices):
        HEAD = "head", "户主"
        SPOUSE = "spouse", "配偶"
        CHILD = "child", "子女"
        PARENT = "parent", "父母"
        GRANDCHILD = "grandchild", "孙子女"
        GRANDPARENT = "grandparent", "祖父母"
        SIBLING = "sibling", "兄弟姐妹"
        CHILD_IN_LAW = "child_in_law", "儿媳/女婿"
        OTHER = "other", "其他"

    household = models.ForeignKey(
        Household,
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # Denormalised from the household so that scope filters and roll-ups need no extra join;
    # services keep it equal to household.node.
    node = models.ForeignKey(
        "grid.GridNode", verbose_name="所属网格", on_delete=models.PROTECT, related_name="residents"
    )
    # Indexes (Meta.indexes): only those a query uses, since every one costs each write (an
    # import writes 100,000 rows). No index on the name: search by name is a substring match
    # (LIKE %…%), which no b-tree serves. Pinyin and initials are prefix matches: one index each,
    # with PostgreSQL's pattern operators (which LIKE 'q%' needs).
    name = models.CharField("姓名", max_length=50)
    # Wide enough for any name of the 50 characters allowed: one initial, and at most six letters
    # of pinyin (zhuang, shuang), a character. Kept whole rather than clipped, so that a prefix
    # search finds a long (维吾尔族) name by any of its syllables typed from the start.
    name_pinyin = models.CharField(max_length=300, editable=False)
    name_initials = models.CharField(max_length=50, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True, default="汉族")
    id_number = EncryptedTextField("身份证号", blank=True)
    # NULL without an ID number: one unique index then serves both the rule and every lookup (a
    # partial index on "not empty" served only the rule on SQLite, which needed a second index).
    id_number_index = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone = EncryptedTextField("联系电话", blank=True)
    phone_index = models.CharField(max_length=64, blank=True, editable=False)
    # The masked forms (4305*************X, 138****5678) kept beside the ciphertext: every list,
    # export and API page shows only these, so lists never decrypt (nor hold) the full numbers.
    # db_default: a process still running the code before these columns can go on inserting.
    id_number_mask = models.CharField(max_length=32, blank=True, editable=False, db_default="")
    # Keyed indexes of the last four characters (crypto.last4_index), for 尾号 search; NULL
    # without a number, so that a nullable column is added without copying the table.
    id_number_last4 = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone_last4 = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone_mask = models.CharField(max_length=32, blank=True, editable=False, db_default="")
    relation = models.CharField(
        "与户主关系", max_length=20, choices=Relation.choices, default=Relation.OTHER
    )
    status = models.CharField(
        # No index: three values, and every list also narrows by grid, which is indexed.
        "状态",
        max_length=20,
        choices=Status.choices,
        default=Status.ACTIVE,
    )
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="residents")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    is_synthetic = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "node__path"
    SCOPE_HOUSEHOLD = "household_id"
    # A resident is served through their own tags (残疾人) or their household's (a 低保户's members).
    SCOPE_SERVED_BY = ("tags__departments", "household__tags__departments")

    class Meta:
        ordering = ["node__path", "household_id", "id"]
        verbose_name = "居民"
        verbose_name_plural = "居民"
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], name="uniq_resident_id_number")
        ]
        indexes = [
            models.Index(
                fields=["name_pinyin"], name="resident_pinyin", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["name_initials"],
                name="resident_initials",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["phone_index"], name="resident_phone_index"),
            models.Index(fields=["id_number_last4"], name="resident_id_last4"),
            models.Index(fields=["phone_last4"], name="resident_phone_last4"),
            # A node's figures are recounted on each write (core/figures.py): an index range.
            models.Index(fields=["node", "status"], name="resident_node_status"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.prepare()
        super().save(*args, **kwargs)

    def prepare(self) -> None:
        """Fill the derived columns: pinyin for search and the blind indexes of personal data."""
        self.name_pinyin, self.name_initials = name_pinyin(self.name)
        self.id_number_index = blind_index(self.id_number, "id") if self.id_number else None
        self.phone_index = blind_index(self.phone, "phone") if self.phone else ""
        self.id_number_mask = mask_id_number(self.id_number)
        self.phone_mask = mask_phone(self.phone)
        self.id_number_last4 = last4_index(self.id_number, "id")
        self.phone_last4 = last4_index(self.phone, "phone")

    @property
    def age(self) -> int | None:
        """Full years on today's date (None without a birth date)."""
        born = self.birth_date
        if born is None:
            return None
        today = timezone.localdate()
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def id_number_masked(self) -> str:
        # From the stored mask; an unsaved resident (never prepared) masks its own value. Reading
        # __dict__ never loads a deferred field.
        return self.id_number_mask or mask_id_number(self.__dict__.get("id_number"))

    @property
    def phone_masked(self) -> str:
        return self.phone_mask or mask_phone(self.__dict__.get("phone"))


class HouseholdNumbering(models.Model):
    """A village's 户编号 sequence (V01-00418): the last number given, per village, so that two
    villages never wait on each other and one village's registrations take numbers one at a
    time (the row is locked while a number is taken; an import takes a block at once)."""

    village = models.OneToOneField(
        "grid.GridNode",
        verbose_name="行政村",
        on_delete=models.CASCADE,
        related_name="household_numbering",
    )
    prefix = models.CharField("编号前缀", max_length=20)
    last = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = "户编号规则"
        verbose_name_plural = "户编号规则"

    def __str__(self) -> str:
        return f"{self.prefix}-{self.last:05d}"


class HouseholdChange(ScopedModel):
    """The history of a household: move in, move out, birth, death, split (人口变动)."""

    class Destination(models.TextChoices):
        """Where a person moved out to (迁往), for the 迁出 record."""

        SAME_TOWN = "same_town", "本乡镇其他村（社区）"
        SAME_COUNTY = "same_county", "本县（市、区）其他乡镇"
        SAME_PROVINCE = "same_province", "本省其他县（市、区）"
        OTHER_PROVINCE = "other_province", "外省"
        ABROAD = "abroad", "国（境）外"
        UNKNOWN = "unknown", "去向不明"

    class Reason(models.TextChoices):
        """Why a person left: the move-out reasons, then the causes of death."""

        WORK = "work", "务工经商"
        MARRIAGE = "marriage", "婚嫁"
        STUDY = "study", "升学"
        ARMY = "army", "参军"
        FAMILY = "family", "投靠亲属"
        HOUSING = "housing", "购房、迁居"
        MOVE_OTHER = "move_other", "其他原因"
        ILLNESS = "illness", "疾病"
        OLD_AGE = "old_age", "年老"
        ACCIDENT = "accident", "意外事故"
        DEATH_OTHER = "death_other", "其他"

    MOVE_OUT_REASONS = ("work", "marriage", "study", "army", "family", "housing", "move_other")
    DEATH_CAUSES = ("illness", "old_age", "accident", "death_other")

    class Kind(models.TextChoices):
        MOVE_IN = "move_in", "迁入"
        MOVE_OUT = "move_out", "迁出"
        BIRTH = "birth", "出生"
        DEATH = "death", "死亡"
        SPLIT = "split", "分户"
        HEAD_CHANGE = "head_change", "户主变更"
        # A person first recorded by a spreadsheet import: the start of their record here, not a
        # change of the population (a township's first roster is thousands of them).
        IMPORT = "import", "表格建档"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField("变动类型", max_length=20, choices=Kind.choices)
    occurred_on = models.DateField("变动日期")
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    other_household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    # 迁出: where to and why; 死亡: the cause (Reason). Empty for the other kinds and for records
    # made before they were asked.
    destination = models.CharField(
        "迁往", max_length=20, choices=Destination.choices, blank=True, default="", db_default=""
    )
    reason = models.CharField(
        "原因", max_length=20, choices=Reason.choices, blank=True, default="", db_default=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "household__node__path"
    SCOPE_HOUSEHOLD = "household_id"

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = "人口变动"
        verbose_name_plural = "人口变动"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"
