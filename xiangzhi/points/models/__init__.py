"""The points app's models, one module per sub-domain."""

from .claims import PointClaim, PointClaimPhoto, PointObjection
from .ledger import POINTS_LIMIT, PointAccount, PointEntry
from .rules import CapPeriod, Category, Evidence, PointPolicy, PointRule, PointRuleVersion
from .store import PointBoardSetting, PointPeriodTotal, PointRedemption, PointReward

__all__ = [
    "POINTS_LIMIT",
    "CapPeriod",
    "Category",
    "Evidence",
    "PointAccount",
    "PointClaim",
    "PointClaimPhoto",
    "PointEntry",
    "PointObjection",
    "PointPolicy",
    "PointRule",
    "PointRuleVersion",
    # the store and the public lists (models/store.py)
    "PointBoardSetting",
    "PointPeriodTotal",
    "PointRedemption",
    "PointReward",
]
