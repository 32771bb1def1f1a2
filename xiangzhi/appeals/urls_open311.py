"""Open311 GeoReport v2 under /open311/v2/: each route once per format, as the spec's suffixes."""

from django.urls import path

from .models import Kind
from .views import open311 as views

app_name = "open311"

urlpatterns = []
for fmt in ("json", "xml"):
    urlpatterns += [
        path(f"services.{fmt}", views.services, {"fmt": fmt}, name=f"services_{fmt}"),
        path(
            f"services/menu-<int:service_offering_id>.{fmt}",
            views.service_definition,
            {"fmt": fmt},
            name=f"menu_service_{fmt}",
        ),
        path(f"requests.{fmt}", views.requests, {"fmt": fmt}, name=f"requests_{fmt}"),
        path(
            f"requests/<int:appeal_id>.{fmt}",
            views.request_detail,
            {"fmt": fmt},
            name=f"request_{fmt}",
        ),
    ]
    urlpatterns += [
        path(
            f"services/{kind}.{fmt}",
            views.service_definition,
            {"fmt": fmt, "code": str(kind)},
            name=f"service_{kind}_{fmt}",
        )
        for kind in Kind.values
    ]
