from django.apps import AppConfig


class WorkerAppConfig(AppConfig):
    name = "tests.core.worker_app"
    label = "worker_app"

    def ready(self):
        from xiangzhi.core.registry import register_actions, register_sheet_kind

        from . import kinds

        register_actions(kinds.WorkerAction)
        for kind in kinds.KINDS:
            register_sheet_kind(kind)
