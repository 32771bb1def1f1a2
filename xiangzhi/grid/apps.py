from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "xiangzhi.grid"
    label = "grid"
    verbose_name = "五级网格"

    def ready(self):
        from xiangzhi.core.scope import register_entity

        register_entity("node", "grid.GridNode")
