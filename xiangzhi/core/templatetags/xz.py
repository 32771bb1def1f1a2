from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """Look a key up in a dict from a template: {{ counts|get_item:"households" }}."""
    if mapping is None:
        return ""
    return mapping.get(key, 0) if isinstance(mapping, dict) else ""
