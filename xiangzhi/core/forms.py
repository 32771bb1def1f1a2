from django import forms
from django.apps import apps

from .registry import ACTIONS, ENTITIES


def action_choices() -> list:
    """Every declared action, grouped by app, with a whole-app choice first in each group."""
    groups: dict[str, list] = {}
    for name, action in ACTIONS.items():
        groups.setdefault(name.split(".", 1)[0], []).append((name, action.label))
    choices: list = [("", "全部操作")]
    for config in apps.get_app_configs():
        if config.label in groups:
            title = str(config.verbose_name)
            items = [(f"{config.label}.", f"{title}:全部操作"), *sorted(groups[config.label])]
            choices.append((title, items))
    return choices


def object_type_choices() -> list:
    """The kinds of record an event can be about, by their Chinese names (users, the registered
    entities, and what core itself writes about)."""
    labels = {"accounts.user", *(e.model_label.lower() for e in ENTITIES.values())}
    models = [apps.get_model(label) for label in sorted(labels)]
    named = sorted((m._meta.label_lower, str(m._meta.verbose_name)) for m in models)
    return [("", "全部"), *sorted(named, key=lambda item: item[1])]


class AuditFilterForm(forms.Form):
    node = forms.IntegerField(label="网格编号", required=False, widget=forms.HiddenInput)
    actor = forms.CharField(label="操作人账号", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    object_id = forms.CharField(label="对象编号", required=False)
    action = forms.ChoiceField(label="操作", required=False)
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = action_choices()
        self.fields["object_type"].choices = object_type_choices()
