from django import forms
from django.utils import timezone

from xiangzhi.core.forms import PhotosField
from xiangzhi.people.models import Tag

from .models import ContactLink, PartyMember


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PartyMember) -> str:
        return f"{obj.resident.name}（{obj.resident.node.name}）"


class ContactLinkForm(forms.Form):
    member = MemberChoiceField(
        label="联系党员", queryset=PartyMember.objects.none(), help_text="本村在册的党员"
    )
    role = forms.ChoiceField(
        label="联系类型",
        choices=ContactLink.Role.choices,
        help_text="每户一名主要联系人，可再加第二联系人",
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"].queryset = members


class ContactGroupForm(ContactLinkForm):
    tag = forms.ModelChoiceField(
        label="联系群体",
        queryset=Tag.objects.order_by("name"),
        help_text="如个体工商户、种养大户：本网格该群体的每一户都由这名党员联系",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["role"]


class ContactEndForm(forms.Form):
    reason = forms.CharField(
        label="结束原因", max_length=100, help_text="如：调整联系人、党员外出务工"
    )


class ContactSettingsForm(forms.Form):
    village_group_quota = forms.IntegerField(
        label="村党小组覆盖户数上限", min_value=1, max_value=1000
    )
    community_group_quota = forms.IntegerField(
        label="社区党小组覆盖户数上限", min_value=1, max_value=1000
    )
    visit_interval_days = forms.IntegerField(
        label="走访周期（天）",
        min_value=7,
        max_value=1000,
        help_text="超过这么多天没有走访的联系户算作逾期",
    )
    follow_up_days = forms.IntegerField(
        label="变动回访期限（天）",
        min_value=1,
        max_value=1000,
        help_text="户里有出生、死亡、迁入迁出、分户、户主变更后，应在这么多天内回访",
    )


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label="走访日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    met = forms.CharField(label="见到的人", max_length=100, help_text="如：户主本人、其妻子")
    learned = forms.CharField(
        label="了解的情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    needs = forms.CharField(
        label="群众诉求",
        required=False,
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="没有可不填；每行一条，最多5条",
    )
    follow_up = forms.CharField(
        label="后续跟进", required=False, max_length=200, help_text="如：下周帮助联系镇农技站"
    )
    photos = PhotosField(
        label="照片",
        required=False,
        help_text="可不传；最多4张，JPG或PNG，每张不超过5MB",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_needs(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["needs"].splitlines() if line.strip()]


class NeedTakeForm(forms.Form):
    by = forms.CharField(label="转办去向", max_length=100, help_text="如：镇民政办、村委会")


class NeedCloseForm(forms.Form):
    outcome = forms.CharField(label="办理结果", max_length=300)
