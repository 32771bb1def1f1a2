from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "xiangzhi.grid"
    label = "grid"
    verbose_name = "五级网格"

    def ready(self):
        from xiangzhi.core.registry import (
            register_actions,
            register_audit_keys,
            register_entity,
            register_nav,
        )

        from .actions import AUDIT_KEYS, LEGACY, GridAction
        from .models import GridNode

        register_entity("node", GridNode)
        register_actions(GridAction, legacy=LEGACY)
        register_audit_keys(AUDIT_KEYS)
        register_nav("grid", "网格", "grid:index", order=10)

        from xiangzhi.core.registry import register_demo_loader

        from . import demo

        register_demo_loader(self.label, demo.load)
