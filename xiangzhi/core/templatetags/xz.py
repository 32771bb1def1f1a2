from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """Look a key up in a dict from a template: {{ counts|get_item:"households" }}."""
    if mapping is None:
        return ""
    return mapping.get(key, 0) if isinstance(mapping, dict) else ""


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
