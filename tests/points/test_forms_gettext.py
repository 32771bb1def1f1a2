"""The points app's forms (rules, claims, the store, the board's settings) mark every label and
help text for translation (gettext_lazy), as the user messages of the code are
(tests/core/test_gettext.py); a choice's label in the counter's chooser goes through gettext."""

from __future__ import annotations

import inspect

import pytest
from django import forms
from django.utils.functional import Promise

from xiangzhi.points import forms as points_forms
from xiangzhi.points import store_forms
from xiangzhi.points.models import PointReward
from xiangzhi.points.store_forms import reward_choice_label

FORMS = [
    cls
    for module in (points_forms, store_forms)
    for _, cls in inspect.getmembers(module, inspect.isclass)
    if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
]


def test_the_forms_are_found():
    names = {cls.__name__ for cls in FORMS}
    assert {"RuleForm", "RewardForm", "RedeemForm", "BoardSettingForm"} <= names


@pytest.mark.parametrize("form", FORMS, ids=lambda cls: cls.__name__)
def test_every_label_and_help_text_is_marked_for_translation(form):
    bare = [
        f"{name}.{attr}"
        for name, field in form.base_fields.items()
        for attr in ("label", "help_text")
        if getattr(field, attr) and not isinstance(getattr(field, attr), Promise)
    ]
    assert not bare, f"{form.__name__}: not marked for translation: {bare}"


def test_the_counters_chooser_names_an_item_its_cost_and_its_stock():
    soap = PointReward(name="甲村肥皂", kind="material", cost=20, stock=3)
    assert reward_choice_label(soap) == "甲村肥皂（20分，库存3）"
    priority = PointReward(name="甲村务工优先", kind="policy", cost=100, stock=None)
    assert reward_choice_label(priority) == "甲村务工优先（100分）"
