from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "xiangzhi.appeals"
    label = "appeals"
    verbose_name = "群众诉求"

    def ready(self):
        """Register the app's entities, actions, figures, sheets, panels and demo with core."""
