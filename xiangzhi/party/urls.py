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
    # Posts, organisational life, hamlet talks and transfers (issue 13, points 4-7).
    path("posts/", views.post_catalogue, name="post_catalogue"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/defaults/", views.post_defaults, name="post_defaults"),
    path("posts/unassigned/", views.members_without_posts, name="members_without_posts"),
    path("posts/<int:post_id>/", views.post_detail, name="post_detail"),
    path(
        "post-assignments/<int:post_assignment_id>/end/",
        views.post_assignment_end,
        name="post_assignment_end",
    ),
    path(
        "post-assignments/<int:post_assignment_id>/entries/new/",
        views.post_entry_create,
        name="post_entry_create",
    ),
    path("my/", views.my_party_work, name="my_party_work"),
    path("meetings/", views.meeting_index, name="meeting_index"),
    path("meetings/export/", views.meeting_export, name="meeting_export"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/plan/", views.meeting_plan_year, name="meeting_plan_year"),
    path("meetings/overdue/", views.meeting_overdue, name="meeting_overdue"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(
        "meetings/<int:meeting_id>/attachment/",
        views.meeting_attachment,
        name="meeting_attachment",
    ),
    path(
        "meetings/<int:meeting_id>/attachments/<int:meeting_attachment_id>/",
        views.meeting_attachment,
        name="meeting_attachment_n",
    ),
    path(
        "meetings/<int:meeting_id>/attachments/<int:meeting_attachment_id>/delete/",
        views.meeting_attachment_delete,
        name="meeting_attachment_delete",
    ),
    path("talks/", views.talk_index, name="talk_index"),
    path("talks/new/", views.talk_create, name="talk_create"),
    path("talks/<int:hamlet_talk_id>/", views.talk_detail, name="talk_detail"),
    path("opinions/", views.opinion_open_list, name="opinion_open_list"),
    path("opinions/<int:talk_opinion_id>/resolve/", views.opinion_resolve, name="opinion_resolve"),
    path("opinions/<int:talk_opinion_id>/take/", views.opinion_take, name="opinion_take"),
    path("members/<int:party_member_id>/transfer-out/", views.transfer_out, name="transfer_out"),
    path("residents/<int:resident_id>/transfer-in/", views.transfer_in, name="transfer_in"),
]
