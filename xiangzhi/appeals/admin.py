from django.contrib import admin

from xiangzhi.core.admin import ConfigAdmin

from .models import AppealDeadlineRule


@admin.register(AppealDeadlineRule)
class AppealDeadlineRuleAdmin(ConfigAdmin):
    """The default deadlines per kind of appeal, in working days (superusers edit, audited)."""

    list_display = ["kind", "accept_days", "reply_days", "remind_days"]


from . import admin_extra  # noqa: E402, F401 - routing rules and models, Open311 keys
