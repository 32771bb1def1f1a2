from django.apps import AppConfig

NODE_FIGURE = "grid_nodes"


def _sees_a_grid(user) -> bool:
    """The 网格 entry is for those bound to a node (a villager's or a department's workbench
    would lead to an empty grid page)."""
    from xiangzhi.core.scope import scope_for

    scope = scope_for(user)
    return scope.superuser or bool(scope.read_paths)


class GridConfig(AppConfig):
    name = "xiangzhi.grid"
    label = "grid"
    verbose_name = "五级网格"

    def ready(self):
        from xiangzhi.core.registry import (
            register_actions,
            register_audit_keys,
            register_entity,
            register_figure,
            register_nav,
        )

        from .actions import AUDIT_KEYS, LEGACY, GridAction
        from .models import GridNode

        register_entity("node", GridNode)
        register_actions(GridAction, legacy=LEGACY)
        register_audit_keys(AUDIT_KEYS)
        register_nav("grid", "网格", "grid:index", order=10, visible=_sees_a_grid)
        from xiangzhi.core.registry import register_panel

        from .workbench import chart_panel

        register_panel("workbench", "grid_chart", "grid/panels/chart.html", chart_panel, order=40)
        # The node counts per level that the grid pages show, kept like any figure (rollup.py).
        register_figure(
            NODE_FIGURE, "网格数", GridNode.objects.all, "path", split_by="level", internal=True
        )

        from xiangzhi.core.registry import register_demo_loader

        from . import demo

        register_demo_loader(self.label, demo.load)
