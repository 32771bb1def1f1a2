import secrets

from django import template
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

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

    from xiangzhi.core.registry import PANELS

    request = context.get("request")
    actor = getattr(request, "user", None)
    parts = []
    for panel in PANELS.get(place, []):
        extra = panel.context(actor=actor, obj=obj, can_write=can_write)
        if extra is not None:
            parts.append(render_to_string(panel.template, {**extra, "obj": obj}, request=request))
    return mark_safe("".join(parts))  # each part is a rendered, autoescaped template


@register.simple_tag
def once_field():
    """A hidden field naming this copy of a form, so that its view can tell a refresh or a second
    tap from a new submission (core.web.once_used / once_spend)."""
    return format_html('<input type="hidden" name="once" value="{}">', secrets.token_urlsafe(12))


# --- the layout's links ---------------------------------------------------------------------
# base.html is on every page: a {% url %} per navigation entry (some twenty for a cadre) made
# most of the layout's cost (reverse() walks the resolver and reads the active language each
# time). A URL without arguments depends only on the URLconf, the script prefix, the language and
# the current application namespace, so it is reversed once per process for each of those.

_URLS: dict[tuple, dict[str, str]] = {}


def _current_app(context) -> str | None:
    # As {% url %} finds it (django.template.defaulttags.URLNode).
    request = getattr(context, "request", None)
    try:
        return request.current_app
    except AttributeError:
        try:
            return request.resolver_match.namespace
        except AttributeError:
            return None


def _url_table(current_app: str | None) -> dict[str, str]:
    """The URLs reversed so far for this URLconf, script prefix, language and namespace."""
    key = (get_urlconf(), get_script_prefix(), get_language(), current_app)
    table = _URLS.get(key)
    if table is None:
        table = _URLS[key] = {}
    return table


def _fixed_url(table: dict[str, str], name: str, current_app: str | None) -> str:
    url = table.get(name)
    if url is None:
        url = table[name] = reverse(name, current_app=current_app)
    return url


def _clear_urls(**kwargs) -> None:
    _URLS.clear()


# Tests that swap the URLconf (override_settings) start from an empty cache.
setting_changed.connect(_clear_urls, dispatch_uid="xz_fixed_urls")


@register.simple_tag(takes_context=True)
def fixed_url(context, name: str) -> str:
    """{% url name %} for a URL without arguments, reversed once per process."""
    app = _current_app(context)
    url = _fixed_url(_url_table(app), name, app)
    return conditional_escape(url) if context.autoescape else url


@register.simple_tag(takes_context=True)
def nav_links(context):
    """The main navigation's <li> entries, the markup of
    {% for item in nav_items %}<li><a href="{% url item.url_name %}"
    {% if nav == item.key %}aria-current="page"{% endif %}>{{ item.label }}</a></li>{% endfor %}
    (tests/core/test_layout.py compares the two)."""
    current = context.get("nav")
    app = _current_app(context)
    table = _url_table(app)
    out = []
    for item in context.get("nav_items") or ():
        href = conditional_escape(_fixed_url(table, item.url_name, app))
        mark = 'aria-current="page"' if current == item.key else ""
        out.append(f'<li><a href="{href}" {mark}>{conditional_escape(item.label)}</a></li>')
    return mark_safe("".join(out))  # URLs and labels escaped above
