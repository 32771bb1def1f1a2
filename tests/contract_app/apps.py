from django.apps import AppConfig


class ContractConfig(AppConfig):
    """The smallest app on the contract: every line of ready() is a registration with core."""

    name = "tests.contract_app"
    label = "contract"
    verbose_name = "村务便签(测试应用)"

    def ready(self):
        from xiangzhi.core.registry import (
            register_actions,
            register_entity,
            register_figure,
            register_sheet_kind,
        )

        from .actions import ContractAction
        from .models import Notice
        from .sheets import NOTICES

        register_entity("notice", Notice)
        register_actions(ContractAction)
        register_figure("notices", "便签数", lambda: Notice.objects.all(), "node__path")
        register_sheet_kind(NOTICES)
