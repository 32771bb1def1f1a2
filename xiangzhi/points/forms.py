"""The points app's forms: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiangzhi.core.forms import PhotosField

from .models import POINTS_LIMIT, CapPeriod, Category, Evidence, PointClaim
from .models.rules import RECORDER_CHOICES


class RuleForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=20, required=False)
    title = forms.CharField(label=_("规则名称"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    custom_category = forms.CharField(
        label=_("自定义类别名称"),
        max_length=30,
        required=False,
        help_text=_("类别选“自定义”时填写"),
    )
    points = forms.IntegerField(
        label=_("分值"),
        min_value=-POINTS_LIMIT,
        max_value=POINTS_LIMIT,
        help_text=_("加分填正数，扣分填负数"),
    )
    evidence = forms.ChoiceField(label=_("证明材料"), choices=Evidence.choices)
    cap_points = forms.IntegerField(
        label=_("每户每期上限"),
        required=False,
        min_value=1,
        max_value=POINTS_LIMIT,
        help_text=_("不设上限请留空"),
    )
    cap_period = forms.ChoiceField(label=_("上限周期"), choices=CapPeriod.choices)
    recorders = forms.MultipleChoiceField(
        label=_("可登记人"), choices=RECORDER_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PolicyForm(forms.Form):
    villages_may_add = forms.BooleanField(label=_("允许村级自定规则"), required=False)
    max_points = forms.IntegerField(
        label=_("村级规则单条最高加分"), min_value=1, max_value=POINTS_LIMIT
    )
    max_deduction = forms.IntegerField(
        label=_("村级规则单条最多扣分"), min_value=0, max_value=POINTS_LIMIT
    )
    categories = forms.MultipleChoiceField(
        label=_("村级可用类别"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("都不选表示不限类别"),
    )
    min_balance = forms.IntegerField(
        label=_("最低余额"),
        min_value=-POINTS_LIMIT,
        max_value=0,
        help_text=_("扣分和冲正最多扣到此数；兑换不能使余额为负"),
    )
    notice_days = forms.IntegerField(label=_("公示期（工作日）"), min_value=1, max_value=30)


class ClaimRecordForm(forms.Form):
    household = forms.CharField(label=_("户编号"), max_length=40)
    rule = forms.ModelChoiceField(label=_("积分规则"), queryset=None)
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(
        accept="image/jpeg,image/png,image/webp",
        label=_("照片"),
        required=False,
        help_text=_("可选多张，最多6张"),
    )

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules
        self.fields["occurred_on"].initial = timezone.localdate()


class BatchForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("积分规则"), queryset=None)
    occurred_on = forms.DateField(
        label=_("活动日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    households = forms.CharField(
        label=_("参加活动的户编号"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一个户编号，也可用逗号、空格分隔"),
    )
    note = forms.CharField(
        label=_("活动说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photos = PhotosField(
        accept="image/jpeg,image/png,image/webp",
        label=_("活动照片"),
        required=False,
        help_text=_("可选多张，最多6张"),
    )

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules
        self.fields["occurred_on"].initial = timezone.localdate()

    def clean_households(self):
        import re

        numbers = [n for n in re.split(r"[\s,，、；;]+", self.cleaned_data["households"]) if n]
        if not numbers:
            raise forms.ValidationError(_("请填写户编号"))
        return list(dict.fromkeys(numbers))


class ApplyForm(forms.Form):
    """The villager's last tap: an optional photo and note, then 提交."""

    note = forms.CharField(
        label=_("说明（可不填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photos = PhotosField(
        accept="image/jpeg,image/png,image/webp", label=_("照片（可不传）"), required=False
    )

    def __init__(self, *args, evidence: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Said as the rule asks (the service refuses a claim without what it asks for).
        if "photo" in evidence:
            self.fields["photos"].label = _("照片（必须拍一张）")
        if "note" in evidence:
            self.fields["note"].label = _("说明（必须填写）")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=(("approve", _("通过，进入公示")), ("reject", _("不通过"))),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审核意见"), required=False, max_length=200, help_text=_("不通过时必须填写理由")
    )


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=150)


STATUS_CHOICES = (("", _("全部")), *PointClaim.Status.choices)
