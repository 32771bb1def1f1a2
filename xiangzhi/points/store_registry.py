"""What the store and the public lists register with core, called from PointsConfig.ready()."""

from __future__ import annotations


def _may_see_store(user) -> bool:
    """积分超市: for users bound to grid nodes (cadres run it; workers and auditors look)."""
    from xiangzhi.core.scope import scope_for

    scope = scope_for(user)
    return scope.superuser or bool(scope.read_paths)


def _has_board(user) -> bool:
    """积分榜: for whoever lives or works under a grid node (read from the scope, no query)."""
    from xiangzhi.core.scope import scope_for

    scope = scope_for(user)
    return bool(scope.household_ids) or any(path for _role, path, _level in scope.bindings)


def _has_household(user) -> bool:
    from xiangzhi.core.scope import scope_for

    return bool(scope_for(user).household_ids)


def register_store() -> None:
    from xiangzhi.core.registry import (
        register_actions,
        register_entity,
        register_figure,
        register_nav,
    )

    from .actions import StoreAction
    from .models import PointPeriodTotal, PointRedemption, PointReward

    register_entity("point_reward", PointReward)
    register_entity("point_redemption", PointRedemption)
    register_entity("point_period_total", PointPeriodTotal)
    register_actions(StoreAction)
    register_figure(
        "points_redeemed",
        "本月兑换积分",
        lambda: PointRedemption.objects.all(),
        "node__path",
        date_lookup="redeemed_on",
        sum_of="points",
    )
    register_nav("points_store", "积分超市", "points:store", order=62, visible=_may_see_store)
    register_nav("points_board", "积分榜", "points:board_home", order=63, visible=_has_board)
    register_nav("points_mine", "我的积分", "points:mine", order=64, visible=_has_household)
