from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("elder-mode/", views.elder_mode, name="elder_mode"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/sessions/end/", views.sessions_end, name="sessions_end"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
