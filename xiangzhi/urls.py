from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from xiangzhi.accounts.views import LoginView
from xiangzhi.api import api
from xiangzhi.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("xiangzhi.accounts.urls")),
    path("grid/", include("xiangzhi.grid.urls")),
    path("people/", include("xiangzhi.people.urls")),
    path("party/", include("xiangzhi.party.urls")),
    path("points/", include("xiangzhi.points.urls")),
    path("appeals/", include("xiangzhi.appeals.urls")),
    path("core/", include("xiangzhi.core.urls")),
    path("inbox/", include("xiangzhi.core.inbox_urls")),
    path("sheets/", include("xiangzhi.core.sheets.urls")),
    path("api/v1/", api.urls),
    path("open311/v2/", include("xiangzhi.appeals.urls_open311")),
    path("admin/", admin.site.urls),
]

handler400 = "xiangzhi.core.errors.bad_request"
handler403 = "xiangzhi.core.errors.permission_denied"
handler404 = "xiangzhi.core.errors.page_not_found"
