from django.apps import AppConfig


def _figures() -> None:
    """The appeals' figures, kept per village and month and summed up the grid (core.figures)."""
    from xiangzhi.core.registry import register_figure

    from .models import OPEN_STATES, Appeal, AppealRating, State

    appeals = Appeal.objects.exclude(state=State.MERGED)
    register_figure(
        "appeals_received",
        "收到诉求",
        lambda: appeals.all(),
        "node__path",
        date_lookup="created_at",
    )
    register_figure(
        "appeals_on_time",
        "按时答复",
        lambda: appeals.filter(replied_at__isnull=False, overdue=False),
        "node__path",
        date_lookup="replied_at",
    )
    register_figure(
        "appeals_overdue",
        "超期未办",
        lambda: Appeal.objects.filter(state__in=OPEN_STATES, overdue=True),
        "node__path",
    )
    register_figure(
        "appeals_rated",
        "诉求评价",
        lambda: AppealRating.objects.all(),
        "node__path",
        date_lookup="created_at",
    )
    register_figure(
        "appeals_satisfied",
        "满意评价",
        lambda: AppealRating.objects.filter(score__gte=AppealRating.SATISFIED_FROM),
        "node__path",
        date_lookup="created_at",
    )
    # 办实事: an appeal done (closed after its rating); appeals2's service menu adds its own.
    register_figure(
        "appeal_deeds",
        "办实事（诉求）",
        lambda: Appeal.objects.filter(state=State.CLOSED),
        "node__path",
        date_lookup="closed_at",
    )


class AppealsConfig(AppConfig):
    name = "xiangzhi.appeals"
    label = "appeals"
    verbose_name = "群众诉求"

    def ready(self):
        """Register the app's entities, actions, figures, sheets, panels and demo with core."""
        from xiangzhi.core.registry import (
            register_actions,
            register_audit_keys,
            register_demo_loader,
            register_entity,
            register_error_format,
            register_nav,
            register_sheet_kind,
            register_worker_start,
        )

        from . import demo, tasks, workbench
        from .actions import AUDIT_KEYS, AppealAction
        from .models import Appeal, AppealEvent, AppealPhoto, AppealRating
        from .sheets import APPEALS

        register_entity("appeal", Appeal)
        register_entity("appeal_event", AppealEvent)
        register_entity("appeal_photo", AppealPhoto)
        register_entity("appeal_rating", AppealRating)
        register_actions(AppealAction)
        register_audit_keys(AUDIT_KEYS)
        _figures()
        register_sheet_kind(APPEALS)
        register_nav("appeals", "群众诉求", "appeals:list", order=50)
        workbench.register_panels()
        register_demo_loader(self.label, demo.load)
        register_worker_start(tasks.schedule_deadline_sweep)
        from .views.open311 import error_answer

        register_error_format("/open311/", error_answer)

        from . import wiring

        wiring.register()
