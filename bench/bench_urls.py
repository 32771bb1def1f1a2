"""The app's URLs plus one trivial logged-in page (bench only): the fixed cost of a request, i.e.
session, user, scope and middleware, with no query or template of its own."""

from django.http import HttpResponse
from django.urls import path

from xiangzhi.core.scope import scope_for
from xiangzhi.urls import urlpatterns as app_urlpatterns


def trivial(request):
    scope_for(request.user)  # every page reads the user's scope
    return HttpResponse("ok")


urlpatterns = [path("bench/trivial/", trivial), *app_urlpatterns]
