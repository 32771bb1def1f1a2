"""The forms of the points store and the public board (parse only; the services validate)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .forms import POINTS_LIMIT
from .models import PointBoardSetting, PointReward


class RewardForm(forms.Form):
    name = forms.CharField(label=_("商品名称"), max_length=60)
    kind = forms.ChoiceField(
        label=_("奖励类别"),
        choices=PointReward.Kind.choices,
        help_text=_("精神奖励如“文明家庭”称号；物质奖励如日用品；政策奖励如评选优先，不计库存。"),
    )
    cost = forms.IntegerField(label=_("所需积分"), min_value=1, max_value=POINTS_LIMIT)
    stock = forms.IntegerField(
        label=_("库存"),
        min_value=0,
        max_value=POINTS_LIMIT,
        required=False,
        help_text=_("政策奖励请留空。"),
    )
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class RewardEditForm(RewardForm):
    is_active = forms.BooleanField(label=_("上架"), required=False)


class RewardNewForm(RewardForm):
    node = forms.ModelChoiceField(label=_("所属积分超市"), queryset=None, empty_label=None)

    def __init__(self, *args, nodes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.order_fields(["node"])


class RedeemForm(forms.Form):
    reward = forms.ModelChoiceField(label=_("兑换商品"), queryset=None, empty_label=None)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=99, initial=1)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, rewards=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reward"].queryset = rewards
        self.fields["reward"].label_from_instance = reward_choice_label


def reward_choice_label(reward: PointReward) -> str:
    """An item as the counter's chooser shows it: its cost, and its stock when it has one."""
    if reward.stock is None:
        return gettext("%(name)s（%(cost)d分）") % {"name": reward.name, "cost": reward.cost}
    return gettext("%(name)s（%(cost)d分，库存%(stock)d）") % {
        "name": reward.name,
        "cost": reward.cost,
        "stock": reward.stock,
    }


class BoardSettingForm(forms.Form):
    name_display = forms.ChoiceField(
        label=_("姓名显示方式"), choices=PointBoardSetting.NameDisplay.choices
    )
    show_deductions = forms.BooleanField(
        label=_("公示扣分明细"), required=False, help_text=_("由村民会议或村民代表会议决定。")
    )
