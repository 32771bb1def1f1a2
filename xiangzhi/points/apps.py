from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "xiangzhi.points"
    label = "points"
    verbose_name = "积分制管理"

    def ready(self):
        """Register the app's entities, actions, figures, sheets, panels and demo with core."""
        from xiangzhi.core.registry import register_actions, register_entity

        from . import models as m
        from .actions import PointsAction

        register_entity("point_policy", m.PointPolicy)
        register_entity("point_rule", m.PointRule)
        register_entity("point_rule_version", m.PointRuleVersion)
        register_entity("point_claim", m.PointClaim)
        register_entity("point_claim_photo", m.PointClaimPhoto)
        register_entity("point_objection", m.PointObjection)
        register_entity("point_account", m.PointAccount)
        register_entity("point_entry", m.PointEntry)
        register_actions(PointsAction)

        from .store_registry import register_store

        register_store()  # the store and the public lists (issue 14, points 4 to 7)
