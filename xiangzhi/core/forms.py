from django import forms


class AuditFilterForm(forms.Form):
    node = forms.IntegerField(label="网格编号", required=False, widget=forms.HiddenInput)
    actor = forms.CharField(label="操作人账号", required=False)
    object_type = forms.CharField(
        label="对象类型", required=False, help_text="例如 people.household"
    )
    object_id = forms.CharField(label="对象编号", required=False)
    action = forms.CharField(label="操作", required=False, help_text="例如 resident.reveal")
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
