"""The site's layout (base.html) builds its navigation and header links in Python
(core/templatetags/xz.py: nav_links, fixed_url); the markup is the one the template wrote."""

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import engines
from django.test import RequestFactory
from django.urls.resolvers import URLResolver

# The navigation and links as base.html wrote them before nav_links and fixed_url.
TEMPLATE_NAV = (
    '{% for item in nav_items %}<li><a href="{% url item.url_name %}" '
    '{% if nav == item.key %}aria-current="page"{% endif %}>{{ item.label }}</a></li>{% endfor %}'
)
TEMPLATE_LINKS = (
    "{% url 'home' %}|{% url 'inbox:list' %}|{% url 'accounts:elder_mode' %}|{% url 'logout' %}"
)


def _request(user, path="/accounts/me/"):
    request = RequestFactory().get(path)
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _render(source: str, request, **context) -> str:
    return engines["django"].from_string(source).render(context, request)


def _users(world):
    a = world.a
    return [
        world.admin,
        world.chief,
        a.cadre,
        a.worker,
        a.villager,
        a.member_user,
        a.department_user,
    ]


@pytest.mark.parametrize("nav", [None, "", "grid", "workbench", "points_mine", "profile"])
def test_the_navigation_is_the_templates_markup(world, nav):
    for user in _users(world):
        request = _request(user)
        ours = _render("{% nav_links %}", request, nav=nav)
        theirs = _render(TEMPLATE_NAV, request, nav=nav)
        assert ours == theirs
        assert ours.count("<li>") >= 2


def test_the_header_links_are_the_templates(world):
    request = _request(world.a.cadre)
    ours = _render(
        "{% fixed_url 'home' %}|{% fixed_url 'inbox:list' %}|"
        "{% fixed_url 'accounts:elder_mode' %}|{% fixed_url 'logout' %}",
        request,
    )
    assert ours == _render(TEMPLATE_LINKS, request)
    assert ours.startswith("/|")


def test_the_layout_reverses_no_url_once_warm(world, monkeypatch):
    """Twenty-odd reverse() calls per page were most of the layout's cost."""
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block content %}{% endblock %}'
    )
    request = _request(world.a.cadre)
    first = template.render({"nav": "grid"}, request)
    calls = []
    original = URLResolver._reverse_with_prefix

    def counted(self, *args, **kwargs):
        calls.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(URLResolver, "_reverse_with_prefix", counted)
    again = template.render({"nav": "grid"}, _request(world.a.cadre))
    assert calls == []
    assert 'aria-current="page">网格</a>' in again
    # the same page but for the CSRF tokens
    strip = lambda body: [line for line in body.splitlines() if "csrfmiddlewaretoken" not in line]  # noqa: E731
    assert strip(first) == strip(again)


def test_a_page_shows_the_navigation(client, world):
    client.force_login(world.a.cadre)
    body = client.get("/accounts/me/").content.decode()
    nav = body[body.index("<nav") : body.index("</nav>")]
    assert '<li><a href="/grid/" >网格</a></li>' in nav
    assert 'href="/inbox/"' in body


def test_the_layouts_values_are_built_once_per_request_and_user(world, monkeypatch):
    """A page renders its panels' templates with the request as well, and each render ran the
    navigation's visibility tests again."""
    from xiangzhi.core import context_processors

    built = []
    original = context_processors._ui
    monkeypatch.setattr(context_processors, "_ui", lambda *args: built.append(1) or original(*args))
    request = _request(world.a.cadre)
    first = context_processors.ui(request)
    assert context_processors.ui(request) is first and len(built) == 1
    assert [n.key for n in first["nav_items"]]  # the cadre's navigation
    request.user = world.a.villager  # logged in as someone else within the request
    other = context_processors.ui(request)
    assert len(built) == 2 and other["nav_items"] != first["nav_items"]
