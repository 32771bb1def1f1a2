from django.urls import path

from . import notify_views

app_name = "inbox"
urlpatterns = [
    path("", notify_views.inbox, name="list"),
    path("read-all/", notify_views.inbox_read_all, name="read_all"),
    path("<int:notification_id>/read/", notify_views.inbox_read, name="read"),
]
