from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/batch/", views.claim_batch, name="claim_batch"),
    path("claims/<int:point_claim_id>/", views.claim_detail, name="point_claim_detail"),
    path("claims/<int:point_claim_id>/review/", views.claim_review, name="claim_review"),
    path("claims/<int:point_claim_id>/withdraw/", views.claim_withdraw_view, name="claim_withdraw"),
    path("photos/<int:point_claim_photo_id>/", views.claim_photo, name="claim_photo"),
    path("apply/", views.apply, name="apply"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:point_claim_id>/object/", views.objection_new, name="objection_new"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/edit/", views.rule_edit, name="rule_edit"),
    path("rules/retire/", views.rule_retire_view, name="rule_retire"),
    path("policy/", views.policy_edit, name="policy_edit"),
    path("ledger/", views.entry_list, name="entry_list"),
    path("entries/<int:point_entry_id>/reverse/", views.entry_reverse_view, name="entry_reverse"),
]
