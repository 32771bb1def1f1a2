from django.urls import path

from . import views
from .views import board, mine, store

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
    # The store (积分超市) and its counter.
    path("store/", store.store, name="store"),
    path("store/rewards/new/", store.reward_new, name="reward_new"),
    path("store/rewards/<int:point_reward_id>/edit/", store.reward_edit, name="reward_edit"),
    path("store/counter/", store.counter, name="counter"),
    path("store/counter/<int:household_id>/", store.counter_household, name="counter_household"),
    path("store/redemptions/", store.redemption_list_page, name="redemption_list"),
    path(
        "store/redemptions/<int:point_redemption_id>/",
        store.redemption_detail,
        name="redemption_detail",
    ),
    path(
        "store/redemptions/<int:point_redemption_id>/receipt.pdf",
        store.redemption_receipt_pdf,
        name="redemption_receipt",
    ),
    # The public lists (积分公示栏).
    path("board/", board.board_home, name="board_home"),
    path("board/<int:node_id>/", board.board, name="board"),
    path("board/<int:node_id>/notice.pdf", board.board_pdf, name="board_pdf"),
    path("board/<int:node_id>/settings/", board.board_setting, name="board_setting"),
    # A villager's own points (我的积分).
    path("mine/", mine.mine, name="mine"),
]
