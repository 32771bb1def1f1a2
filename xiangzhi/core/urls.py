from django.urls import path

from . import checkpoint_views, notify_views, views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("audit/checkpoint/", checkpoint_views.audit_checkpoint_print, name="audit_checkpoint"),
    path(
        "audit/checkpoint/download/",
        checkpoint_views.audit_checkpoint_download,
        name="audit_checkpoint_download",
    ),
    path("webhooks/failed/", notify_views.webhook_failures, name="webhook_failures"),
]
