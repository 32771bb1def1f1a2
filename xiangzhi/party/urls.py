from django.urls import path

from . import views
from .urls_contacts import urlpatterns as contact_urls

app_name = "party"
urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/export/", views.member_export, name="member_export"),
    path(
        "residents/<int:resident_id>/member/new/",
        views.party_member_register,
        name="party_member_register",
    ),
    path("members/<int:party_member_id>/edit/", views.party_member_edit, name="party_member_edit"),
    *contact_urls,
]
