from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xiangzhi.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from xiangzhi.core.scope import register_entity

        from . import signals  # noqa: F401

        register_entity("token", "accounts.ApiToken")
