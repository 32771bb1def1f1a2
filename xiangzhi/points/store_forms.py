"""The forms of the points store and the public board (parse only; the services validate)."""

from django import forms

from .forms import POINTS_LIMIT
from .models import PointBoardSetting, PointReward


class RewardForm(forms.Form):
    name = forms.CharField(label="商品名称", max_length=60)
    kind = forms.ChoiceField(
        label="奖励类别",
        choices=PointReward.Kind.choices,
        help_text="精神奖励如“文明家庭”称号；物质奖励如日用品；政策奖励如评选优先，不计库存。",
    )
    cost = forms.IntegerField(label="所需积分", min_value=1, max_value=POINTS_LIMIT)
    stock = forms.IntegerField(
        label="库存",
        min_value=0,
        max_value=POINTS_LIMIT,
        required=False,
        help_text="政策奖励请留空。",
    )
    description = forms.CharField(label="说明", max_length=200, required=False)


class RewardEditForm(RewardForm):
    is_active = forms.BooleanField(label="上架", required=False)


class RewardNewForm(RewardForm):
    node = forms.ModelChoiceField(label="所属积分超市", queryset=None, empty_label=None)

    def __init__(self, *args, nodes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.order_fields(["node"])


class RedeemForm(forms.Form):
    reward = forms.ModelChoiceField(label="兑换商品", queryset=None, empty_label=None)
    quantity = forms.IntegerField(label="数量", min_value=1, max_value=99, initial=1)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, rewards=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reward"].queryset = rewards
        self.fields["reward"].label_from_instance = lambda r: (
            f"{r.name}（{r.cost}分" + (f"，库存{r.stock}）" if r.stock is not None else "）")
        )


class BoardSettingForm(forms.Form):
    name_display = forms.ChoiceField(
        label="姓名显示方式", choices=PointBoardSetting.NameDisplay.choices
    )
    show_deductions = forms.BooleanField(
        label="公示扣分明细", required=False, help_text="由村民会议或村民代表会议决定。"
    )
