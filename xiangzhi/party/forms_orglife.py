"""Forms of posts, organisational life, hamlet talks and transfers (parse only: the services
check the rules)."""

from __future__ import annotations

from django import forms

from xiangzhi.core.forms import PhotosField
from xiangzhi.grid.models import GridNode

from .models import Attendance, MeetingKind, OpinionOutcome, PartyMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NodeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: GridNode) -> str:
        return f"{'　' * max(0, obj.level - 2)}{obj.name}"


class PostForm(forms.Form):
    node = NodeChoice(
        label="设岗组织",
        queryset=GridNode.objects.none(),
        help_text="一般由村（社区）设岗；党支部、屋场党小组也可设本组织的岗位。",
    )
    name = forms.CharField(label="岗位名称", max_length=40)
    duty = forms.CharField(
        label="岗位职责", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if villages is not None:
            self.fields["node"].queryset = villages


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(label="党员", queryset=PartyMember.objects.none())
    started_on = forms.DateField(label="认岗日期", widget=DATE)
    pledge = forms.CharField(
        label="认岗承诺", required=False, max_length=200, help_text="党员认岗时的公开承诺，可不填。"
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"].queryset = members
            self.fields["member"].label_from_instance = lambda m: m.resident.name


class EndForm(forms.Form):
    ended_on = forms.DateField(label="离岗日期", widget=DATE)


class EntryForm(forms.Form):
    done_on = forms.DateField(label="日期", widget=DATE)
    content = forms.CharField(
        label="做了什么",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例如：向三户村民宣讲了医保缴费政策。",
    )


class MyEntryForm(EntryForm):
    post_assignment = forms.ChoiceField(label="岗位")

    field_order = ["post_assignment", "done_on", "content"]

    def __init__(self, *args, assignments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post_assignment"].choices = [(a.pk, a.post.name) for a in assignments]


class MeetingPlanForm(forms.Form):
    organisation = NodeChoice(label="党组织", queryset=GridNode.objects.none())
    kind = forms.ChoiceField(label="会议类别", choices=MeetingKind.choices)
    planned_on = forms.DateField(label="计划日期", widget=DATE)
    topic = forms.CharField(label="主题", required=False, max_length=100)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class PlanYearForm(forms.Form):
    organisation = NodeChoice(
        label="党组织",
        queryset=GridNode.objects.none(),
        help_text="党支部：支部委员会、主题党日每月一次，党员大会、党课每季度一次；屋场党小组：党小组会每月一次。",
    )
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class MeetingRecordForm(forms.Form):
    held_on = forms.DateField(label="召开日期", widget=DATE)
    topic = forms.CharField(label="主题", max_length=100)
    host = forms.CharField(label="主持人", max_length=40)
    place = forms.CharField(label="地点", required=False, max_length=60)
    minutes = forms.CharField(
        label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = PhotosField(
        accept=".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx",
        label="附件",
        required=False,
        help_text="签到表、会议照片等，可选多个；PDF、图片、Word或Excel，每个不超过10MB，每次会议最多10个。",
    )


ATTENDANCE_CHOICES = Attendance.Status.choices


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)


class TalkForm(forms.Form):
    node = NodeChoice(label="屋场", queryset=GridNode.objects.none())
    held_on = forms.DateField(label="召开日期", widget=DATE)
    place = forms.CharField(label="地点", required=False, max_length=60)
    host = forms.CharField(label="主持人", required=False, max_length=40)
    topics = forms.CharField(
        label="议题", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    other_attendees = forms.CharField(
        label="参会人",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="填写姓名，用逗号或换行分隔；本村居民会自动对应到居民档案。",
    )

    def __init__(self, *args, nodes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if nodes is not None:
            self.fields["node"].queryset = nodes


class OpinionForm(forms.Form):
    raised_by = forms.CharField(label="提出人", required=False, max_length=40)
    content = forms.CharField(
        label="意见内容", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OpinionResolveForm(forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=OpinionOutcome.choices)
    note = forms.CharField(
        label="答复或理由",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="当场答复须写明答复内容；不予处理须说明理由。",
    )


class OpinionTakeForm(forms.Form):
    by = forms.CharField(
        label="转到哪里",
        max_length=60,
        help_text="写明承接的事项，如：村民代表会议12月议题、镇农业站",
    )


class TransferOutForm(forms.Form):
    transferred_on = forms.DateField(label="转出日期", widget=DATE)
    to_organisation = forms.CharField(label="转入党组织", max_length=100)
    note = forms.CharField(label="备注", required=False, max_length=200)


class TransferInForm(forms.Form):
    transferred_on = forms.DateField(label="转入日期", widget=DATE)
    from_organisation = forms.CharField(label="原党组织", max_length=100)
    category = forms.ChoiceField(label="党员类别", choices=PartyMember.Category.choices)
    joined_on = forms.DateField(label="入党时间", widget=DATE)
    organisation = forms.ModelChoiceField(label="转入本地党组织", queryset=GridNode.objects.none())
    note = forms.CharField(label="备注", required=False, max_length=200)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
