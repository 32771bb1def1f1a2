from django import forms

from .models import GridNode


class NodeForm(forms.Form):
    name = forms.CharField(label="网格名称", max_length=100)
    code = forms.CharField(
        label="统计用区划代码",
        max_length=12,
        required=False,
        help_text="12位数字，乡镇和行政村填写，其他层级可不填",
    )


class NodeMoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(
        label="移动到",
        queryset=GridNode.objects.none(),
        help_text="只能移动到同一层级的其他上级网格之下",
    )

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = (
            parents if parents is not None else GridNode.objects.none()
        )


class StaffForm(forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    as_leader = forms.BooleanField(label="设为网格长", required=False)
