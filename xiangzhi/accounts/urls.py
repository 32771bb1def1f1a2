from django.urls import path

from . import manage_views, views

app_name = "accounts"
urlpatterns = [
    path("elder-mode/", views.elder_mode, name="elder_mode"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/sessions/end/", views.sessions_end, name="sessions_end"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("manage/", manage_views.account_index, name="account_list"),
    path("manage/new/", manage_views.account_new, name="account_new"),
    path("manage/party-members/", manage_views.party_accounts, name="party_accounts"),
    path("manage/<int:user_id>/", manage_views.account_detail, name="account_detail"),
    path("manage/<int:user_id>/reset/", manage_views.account_reset, name="account_reset"),
    path("manage/<int:user_id>/switch/", manage_views.account_switch, name="account_switch"),
    path("manage/<int:user_id>/roles/", manage_views.account_role_new, name="account_role_new"),
    path(
        "manage/roles/<int:role_assignment_id>/remove/",
        manage_views.account_role_remove,
        name="account_role_remove",
    ),
]
