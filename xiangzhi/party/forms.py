from django import forms

from xiangzhi.grid.models import GridNode

from .models import PartyMember


class PartyMemberForm(forms.Form):
    category = forms.ChoiceField(label="党员类别", choices=PartyMember.Category.choices)
    joined_on = forms.DateField(label="入党时间", widget=forms.DateInput(attrs={"type": "date"}))
    organisation = forms.ModelChoiceField(
        label="所在党组织",
        queryset=GridNode.objects.none(),
        help_text="镇党委、村党总支、党支部或屋场党小组",
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
