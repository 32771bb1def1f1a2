from django.urls import path
from django.views.generic import RedirectView

from . import views, workbench_views

app_name = "people"
urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/export/", views.household_export, name="household_export"),
    path("residents/export/", views.resident_export, name="resident_export"),
    path("changes/", views.change_list, name="change_list"),
    path("changes/export/", views.change_export, name="change_export"),
    # The upload page moved to core's sheet pages; a bookmark still finds it.
    path("import/", RedirectView.as_view(pattern_name="sheets:import_upload", permanent=True)),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    path("households/<int:household_id>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:household_id>/split/", views.household_split, name="household_split"),
    path("households/<int:household_id>/head/", views.household_head, name="household_head"),
    path("households/<int:household_id>/members/new/", views.resident_add, name="resident_add"),
    path(
        "nodes/<int:node_id>/households/new/", views.household_register, name="household_register"
    ),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/<int:resident_id>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:resident_id>/edit/", views.resident_edit, name="resident_edit"),
    path(
        "residents/<int:resident_id>/move-out/", views.resident_move_out, name="resident_move_out"
    ),
    path("residents/<int:resident_id>/death/", views.resident_death, name="resident_death"),
    path("residents/<int:resident_id>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("residents/<int:resident_id>/call/", workbench_views.resident_call, name="resident_call"),
]
