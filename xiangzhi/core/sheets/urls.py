from django.urls import path

from . import views

app_name = "sheets"
urlpatterns = [
    path("import/", views.import_upload, name="import_upload"),
    path("import/template/<str:kind>/", views.import_template, name="import_template"),
    path("import/jobs/<int:import_job_id>/", views.import_job_detail, name="import_job_detail"),
    path(
        "import/jobs/<int:import_job_id>/confirm/",
        views.import_job_confirm_view,
        name="import_job_confirm",
    ),
    path(
        "import/jobs/<int:import_job_id>/errors/",
        views.import_job_errors,
        name="import_job_errors",
    ),
    path("export/<str:kind>/", views.export, name="export"),
]
