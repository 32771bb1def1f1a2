from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top app: seed_demo runs every app's registered demo loader, lower apps first."""

    name = "xiangzhi.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self):
        from xiangzhi.core.registry import register_actions

        from .actions import LEGACY, DemoAction

        register_actions(DemoAction, legacy=LEGACY)
