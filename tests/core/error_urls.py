"""The project's URLs plus one view that fails, for the 500 page's test."""

from django.urls import path

from xiangzhi.urls import handler400, handler403, handler404  # noqa: F401
from xiangzhi.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *project_urls]
