from django.urls import include, path

from xiangzhi.urls import handler400, handler403, handler404  # noqa: F401
from xiangzhi.urls import urlpatterns as project_urls

from . import views

app_urls = (
    [
        path("notices/", views.notice_list, name="notice_list"),
        path("notices/new/", views.notice_create, name="notice_create"),
        path("notices/<int:notice_id>/", views.notice_detail, name="notice_detail"),
    ],
    "contract",
)
# The test suite's URLconf: the project's routes and error pages, and this app's routes.
urlpatterns = [*project_urls, path("contract/", include(app_urls))]
