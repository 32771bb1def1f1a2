"""The forms of the service menu, disputes and petitions pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiangzhi.accounts.models import Department

from .models.disputes import Dispute
from .models.menu import ServiceOffering
from .models.petitions import MAX_EXTENSION_DAYS, Petition

DATE = forms.DateInput(attrs={"type": "date"})


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OfferingForm(forms.Form):
    node = NodeChoiceField(label=_("发布到"), queryset=None)
    name = forms.CharField(label=_("服务名称"), max_length=60)
    category = forms.ChoiceField(label=_("服务类别"), choices=ServiceOffering.Category.choices)
    description = forms.CharField(
        label=_("服务说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    provider = forms.CharField(
        label=_("服务提供"),
        max_length=60,
        required=False,
        help_text=_("例如：村便民服务站、党员志愿者。"),
    )
    days = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=30, initial=3)
    active = forms.BooleanField(label=_("上架"), required=False, initial=True)

    def __init__(self, *args, nodes=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["node"]
        else:
            self.fields["node"].queryset = nodes


class RequestForm(forms.Form):
    text = forms.CharField(
        label=_("还有什么要说明的？（可不填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "big"}),
        help_text=_("例如：要代办什么、什么时候方便。可以用语音输入。"),
    )


class DisputeForm(forms.Form):
    node = NodeChoiceField(label=_("所在网格"), queryset=None)
    title = forms.CharField(label=_("纠纷名称"), max_length=100)
    category = forms.ChoiceField(label=_("纠纷类别"), choices=Dispute.Category.choices)
    description = forms.CharField(
        label=_("纠纷经过"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    party_a = forms.CharField(label=_("当事人甲方"), max_length=40)
    side_a = forms.CharField(label=_("甲方的说法"), max_length=300, required=False)
    party_b = forms.CharField(label=_("当事人乙方"), max_length=40)
    side_b = forms.CharField(label=_("乙方的说法"), max_length=300, required=False)
    department = forms.ModelChoiceField(
        label=_("协办部门"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("需要司法所等部门一起调解时选择。"),
    )
    registered_on = forms.DateField(label=_("登记日期"), widget=DATE)

    def __init__(self, *args, nodes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("调解日期"), widget=DATE)
    place = forms.CharField(label=_("调解地点"), max_length=100, required=False)
    mediators = forms.CharField(label=_("调解人"), max_length=200)
    notes = forms.CharField(
        label=_("调解记录"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class SettleForm(forms.Form):
    agreement = forms.CharField(
        label=_("调解协议"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    agreed_on = forms.DateField(label=_("协议日期"), widget=DATE)


class FailForm(forms.Form):
    reason = forms.CharField(
        label=_("调解不成的原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    on = forms.DateField(label=_("日期"), widget=DATE)


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(
        label=_("回访情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    followed_up_on = forms.DateField(label=_("回访日期"), widget=DATE)


class PetitionForm(forms.Form):
    node = NodeChoiceField(label=_("信访人所属网格"), queryset=None)
    petitioner = forms.CharField(label=_("信访人"), max_length=40)
    channel = forms.ChoiceField(label=_("信访形式"), choices=Petition.Channel.choices)
    subject = forms.CharField(label=_("信访事项"), max_length=100)
    content = forms.CharField(
        label=_("主要诉求"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    department = forms.ModelChoiceField(label=_("办理部门"), queryset=Department.objects.all())
    received_on = forms.DateField(
        label=_("收到日期"), widget=DATE, help_text=_("自收到之日起15日内决定是否受理。")
    )

    def __init__(self, *args, nodes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class DecideForm(forms.Form):
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    note = forms.CharField(
        label=_("意见"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不予受理须写明理由；超过期限的须说明逾期原因。"),
    )


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label=_("延期天数"),
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        help_text=_("只能延期一次，最多30天。"),
    )
    reason = forms.CharField(label=_("延期理由"), max_length=300)


class FinishForm(forms.Form):
    finished_on = forms.DateField(label=_("办结日期"), widget=DATE)
    result = forms.CharField(
        label=_("办理结果"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    note = forms.CharField(
        label=_("逾期说明"), max_length=1000, required=False, help_text=_("超过办结期限时填写。")
    )
