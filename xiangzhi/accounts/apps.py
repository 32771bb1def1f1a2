from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xiangzhi.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from xiangzhi.core.registry import (
            register_actions,
            register_audit_keys,
            register_entity,
            register_nav,
        )

        from . import signals  # noqa: F401
        from .actions import AUDIT_KEYS, LEGACY, RETIRED, AccountsAction
        from .manage_views import may_manage_accounts
        from .models import ApiToken, RoleAssignment, User

        register_entity("token", ApiToken)
        register_entity("user", User)
        register_entity("role_assignment", RoleAssignment)
        register_actions(AccountsAction, legacy=LEGACY, retired=RETIRED)
        register_nav(
            "accounts", "账号", "accounts:account_list", order=90, visible=may_manage_accounts
        )
        register_audit_keys(AUDIT_KEYS)
        register_nav("profile", "我的", "accounts:profile", order=100)

        from xiangzhi.core.registry import register_demo_loader

        from . import demo

        register_demo_loader(self.label, demo.load)
