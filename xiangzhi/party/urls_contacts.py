"""The routes of contact work, included by party/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/uncovered/", views.uncovered, name="uncovered"),
    path("coverage/links/export/", views.link_export, name="link_export"),
    path(
        "households/<int:household_id>/contact/new/",
        views.contact_link_new,
        name="contact_link_new",
    ),
    path(
        "contacts/<int:contact_link_id>/end/",
        views.contact_link_end_view,
        name="contact_link_end",
    ),
    path("nodes/<int:node_id>/contacts/group/", views.contact_group, name="contact_group"),
    path("nodes/<int:node_id>/contacts/settings/", views.contact_settings, name="contact_settings"),
    path("visits/mine/", views.my_households, name="my_households"),
    path("households/<int:household_id>/visit/", views.visit_new, name="visit_new"),
    path("visits/<int:visit_id>/photo/", views.visit_photo, name="visit_photo"),
    path(
        "visits/<int:visit_id>/photos/<int:visit_photo_id>/",
        views.visit_photo,
        name="visit_photo_n",
    ),
    path("visits/", views.visits, name="visits"),
    path("visits/export/", views.visit_export, name="visit_export"),
    path("needs/", views.needs, name="needs"),
    path("needs/<int:visit_need_id>/take/", views.need_take_view, name="need_take"),
    path("needs/<int:visit_need_id>/close/", views.need_close_view, name="need_close"),
]
