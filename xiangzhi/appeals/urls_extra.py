"""The routes of the service menu, disputes and petitions, included in the appeals namespace."""

from django.urls import path

from .views import disputes, menu, petitions

urlpatterns = [
    path("menu/", menu.menu_list, name="menu"),
    path("menu/new/", menu.offering_new, name="offering_new"),
    path(
        "menu/<int:service_offering_id>/",
        menu.offering_detail,
        name="service_offering_detail",
    ),
    path(
        "menu/<int:service_offering_id>/request/",
        menu.offering_request,
        name="service_offering_request",
    ),
    path("disputes/", disputes.dispute_list_view, name="disputes"),
    path("disputes/new/", disputes.dispute_new, name="dispute_new"),
    path("disputes/<int:dispute_id>/", disputes.dispute_detail, name="dispute_detail"),
    *[
        path(
            f"disputes/<int:dispute_id>/{step}/",
            disputes.dispute_step,
            {"step": step},
            name=f"dispute_{step}",
        )
        for step in disputes.STEPS
    ],
    path("petitions/", petitions.petition_list_view, name="petitions"),
    path("petitions/new/", petitions.petition_new, name="petition_new"),
    path("petitions/<int:petition_id>/", petitions.petition_detail, name="petition_detail"),
    *[
        path(
            f"petitions/<int:petition_id>/{step}/",
            petitions.petition_step,
            {"step": step},
            name=f"petition_{step}",
        )
        for step in petitions.STEPS
    ],
]
