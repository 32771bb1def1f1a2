import functools

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """Look a key up in a dict from a template: {{ counts|get_item:"households" }}."""
    if mapping is None:
        return ""
    return mapping.get(key, 0) if isinstance(mapping, dict) else ""


@register.filter
def action_label(name: str) -> str:
    """The Chinese label of an audit action name."""
    from xiangzhi.core.registry import action_label as label

    return label(name)


@functools.cache
def _field_names(object_type: str) -> dict[str, str]:
    """A model's field names in Chinese, once per type (the audit page asks for each row)."""
    model = _model_of(object_type)
    if model is None:
        return {}
    return {f.name: str(getattr(f, "verbose_name", f.name)) for f in model._meta.get_fields()}


def _model_of(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type) if "." in (object_type or "") else None
    except (LookupError, ValueError):
        return None


@register.filter
def object_type_label(object_type: str) -> str:
    """The model's Chinese name for a stored `app.model` label ("" when unknown)."""
    model = _model_of(object_type)
    return str(model._meta.verbose_name) if model else ""


@register.filter
def audit_changes(changes, object_type: str = "") -> str:
    """An event's changes as 字段:旧 → 新 lines, field names in Chinese where the model has them."""
    if not isinstance(changes, dict) or not changes:
        return ""
    names = _field_names(object_type)
    lines = []
    for key, value in changes.items():
        label = names.get(key, key)
        if isinstance(value, list) and len(value) == 2:
            shown = f"{_plain(value[0])} → {_plain(value[1])}"
        else:
            shown = _plain(value)
        lines.append(f"{label}:{shown}")
    return ";".join(lines)


def _plain(value) -> str:
    if value is None or value == "":
        return "(空)"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return ",".join(f"{k}={_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    return str(value)


@register.simple_tag(takes_context=True)
def panels(context, place: str, obj, can_write: bool = False):
    """Render what higher apps registered for this place of the page (core.registry panels)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from xiangzhi.core.registry import PANELS

    request = context.get("request")
    actor = getattr(request, "user", None)
    parts = []
    for panel in PANELS.get(place, []):
        extra = panel.context(actor=actor, obj=obj, can_write=can_write)
        if extra is not None:
            parts.append(render_to_string(panel.template, {**extra, "obj": obj}, request=request))
    return mark_safe("".join(parts))  # each part is a rendered, autoescaped template
