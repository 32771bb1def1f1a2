"""The app's URLs plus two bench-only pages: a trivial logged-in page (the fixed cost of a request,
i.e. session, user, scope and middleware, with no query or template of its own) and the site's
layout alone (base.html with an empty content block: nav, header badge, elder mode, messages)."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from xiangzhi.core.scope import scope_for
from xiangzhi.urls import urlpatterns as app_urlpatterns

_layout = None
_LAYOUT = '{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}'


def trivial(request):
    scope_for(request.user)  # every page reads the user's scope
    return HttpResponse("ok")


def layout(request):
    scope_for(request.user)
    global _layout
    if _layout is None:
        _layout = engines["django"].from_string(_LAYOUT)
    return HttpResponse(_layout.render({"nav": "profile"}, request))


urlpatterns = [path("bench/trivial/", trivial), path("bench/layout/", layout), *app_urlpatterns]
