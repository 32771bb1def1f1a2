from django.urls import path

from . import urls_extra, views
from .workflow import TRANSITIONS

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list_view, name="list"),
    path("new/", views.appeal_new, name="submit"),
    path("record/", views.appeal_record, name="record"),
    path("overdue/", views.overdue, name="overdue"),
    path("satisfaction/", views.satisfaction_view, name="satisfaction"),
    path("<int:appeal_id>/", views.appeal_detail, name="detail"),
    path("photos/<int:appeal_photo_id>/", views.appeal_photo, name="photo"),
    path("needs/<int:visit_need_id>/", views.appeal_from_need_view, name="from_need"),
    path("opinions/<int:talk_opinion_id>/", views.appeal_from_opinion_view, name="from_opinion"),
    # One route per step of the workflow (workflow.TRANSITIONS): /appeals/12/accept/ ...
    *[
        path(f"<int:appeal_id>/{name}/", views.appeal_step_view, {"step": name}, name=name)
        for name in TRANSITIONS
    ],
    # The service menu, disputes and petitions (urls_extra.py).
    *urls_extra.urlpatterns,
]
