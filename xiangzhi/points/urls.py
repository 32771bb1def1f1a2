from django.urls import path

from .views import board, mine, store

app_name = "points"
urlpatterns = [
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
