from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "xiangzhi.appeals"
    label = "appeals"
    verbose_name = "群众诉求"

    def ready(self):
        """Register the app's entities, actions, figures, sheets, panels and demo with core."""
        from xiangzhi.core.registry import register_entity

        from .models import Appeal, AppealEvent, AppealPhoto, AppealRating

        register_entity("appeal", Appeal)
        register_entity("appeal_event", AppealEvent)
        register_entity("appeal_photo", AppealPhoto)
        register_entity("appeal_rating", AppealRating)

        from . import wiring

        wiring.register()
