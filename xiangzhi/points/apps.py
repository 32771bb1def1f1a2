from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "xiangzhi.points"
    label = "points"
    verbose_name = "积分制管理"

    def ready(self):
        """Register the app's entities, actions, figures, sheets, panels and demo with core."""
