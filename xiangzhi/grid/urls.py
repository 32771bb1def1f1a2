from django.urls import path

from . import views

app_name = "grid"
urlpatterns = [
    path("", views.index, name="index"),
    path("nodes/<int:node_id>/", views.node_detail, name="node_detail"),
    path("nodes/<int:node_id>/new/", views.node_create, name="node_create"),
    path("nodes/<int:node_id>/edit/", views.node_edit, name="node_edit"),
    path("nodes/<int:node_id>/move/", views.node_move, name="node_move"),
    path("nodes/<int:node_id>/staff/", views.node_staff, name="node_staff"),
    path("nodes/<int:node_id>/export/", views.node_export, name="node_export"),
]
