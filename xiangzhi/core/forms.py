from django import forms
from django.apps import apps

from .registry import ACTIONS, ENTITIES
from .selectors import audit_node_choices, audit_person_choices


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (a phone's gallery picks several at once); cleaned to a list.
    The service checks what each one is and how many it takes."""

    def __init__(self, *, accept: str = "image/jpeg,image/png", **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": accept, "multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        # super() with no arguments does not reach the class from inside a comprehension.
        return [super(PhotosField, self).clean(f, initial) for f in files]


def action_choices() -> list:
    """Every declared action, grouped by app, with a whole-app choice first in each group."""
    groups: dict[str, list] = {}
    for name, action in ACTIONS.items():
        groups.setdefault(name.split(".", 1)[0], []).append((name, action.label))
    choices: list = [("", "全部操作")]
    for config in apps.get_app_configs():
        if config.label in groups:
            title = str(config.verbose_name)
            items = sorted(groups[config.label], key=lambda item: item[1])
            choices.append((title, [(f"{config.label}.", f"{title}：全部操作"), *items]))
    return choices


def object_type_choices() -> list:
    """The kinds of record an event can be about, by their Chinese names (users, the registered
    entities, and what core itself writes about)."""
    labels = {"accounts.user", *(e.model_label.lower() for e in ENTITIES.values())}
    models = [apps.get_model(label) for label in sorted(labels)]
    named = sorted((m._meta.label_lower, str(m._meta.verbose_name)) for m in models)
    return [("", "全部"), *sorted(named, key=lambda item: item[1])]


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class AuditFilterForm(forms.Form):
    """The audit page's filters: choosers of node, person, action and record kind, and dates;
    `actor` (an account name) and `object_id` stay as hidden fields for links from other pages."""

    node = forms.TypedChoiceField(label="网格", required=False, coerce=int, empty_value=None)
    person = forms.TypedChoiceField(label="操作人", required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label="操作类型", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(required=False, widget=forms.HiddenInput)
    object_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        selected = None
        if self.is_bound:
            try:
                selected = _optional_int(self.data.get("node"))
            except ValueError:
                selected = None
        nodes = audit_node_choices(actor=viewer, selected=selected)
        self.fields["node"].choices = [("", "全部网格"), *nodes]
        self.fields["person"].choices = [("", "全部人员"), *audit_person_choices(actor=viewer)]
        self.fields["action"].choices = action_choices()
        self.fields["object_type"].choices = object_type_choices()
