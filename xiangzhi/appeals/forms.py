"""The forms of the appeals pages: raising an appeal and each step of its workflow."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiangzhi.core.forms import PhotosField

from .models import Kind, Source


class SubmitForm(forms.Form):
    """The villager's page: say it, add a photo, send (the household comes from the account)."""

    text = forms.CharField(
        label=_("您有什么事？"),
        label_suffix="",  # the question mark ends it
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "big"}),
        help_text=_("可以用手机输入法的语音输入说给我们听。"),
    )
    photos = PhotosField(accept="image/*", label=_("拍照或选照片（可不选）"), required=False)


class RecordForm(forms.Form):
    """A cadre or grid worker records an appeal for a villager (from the chat group, a call)."""

    text = forms.CharField(
        label=_("诉求内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("可直接粘贴群聊里的原话。"),
    )
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, initial=Kind.HELP)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.GROUP_CHAT)
    household_number = forms.CharField(
        label=_("户编号"),
        max_length=40,
        required=False,
        help_text=_("诉求人所在户的户编号；网格巡查发现的问题可不填，改选网格。"),
    )
    node = forms.ModelChoiceField(
        label=_("所在网格"),
        queryset=None,
        required=False,
        help_text=_("没有户编号时必选。"),
    )
    latitude = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6)
    photos = PhotosField(accept="image/*", label=_("照片（最多4张）"), required=False)

    def __init__(self, *args, nodes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReplyForm(forms.Form):
    note = forms.CharField(
        label=_("答复内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CommentForm(NoteForm):
    internal = forms.BooleanField(label=_("仅内部可见"), required=False, initial=True)


class AssignForm(NoteForm):
    assignee = forms.ModelChoiceField(label=_("承办人"), queryset=None)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = choices
        self.order_fields(["assignee", "note"])


class DispatchForm(NoteForm):
    department = forms.ModelChoiceField(label=_("承办部门"), queryset=None)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = choices
        self.order_fields(["department", "note"])


class TransferForm(NoteForm):
    node = forms.ModelChoiceField(label=_("转办到网格"), queryset=None)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = choices
        self.order_fields(["node", "note"])


class MergeForm(NoteForm):
    into = forms.ModelChoiceField(label=_("合并到诉求"), queryset=None)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = choices
        self.order_fields(["into", "note"])


SCORES = [
    (5, _("5分 非常满意")),
    (4, _("4分 满意")),
    (3, _("3分 基本满意")),
    (2, _("2分 不满意")),
    (1, _("1分 很不满意")),
]


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("您对办理结果满意吗？"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("还想说的话（可不填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
