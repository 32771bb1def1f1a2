"""The libraries' admins with Chinese column names where they name a column in English
without gettext (django-tasks-db's task results, django-axes' access attempts)."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "number",
        "task",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    def get_readonly_fields(self, request, obj=None):
        return [
            "number" if name == "id" else name for name in super().get_readonly_fields(request, obj)
        ]

    @admin.display(description="编号")
    def number(self, obj: DBTaskResult) -> str:
        return str(obj.pk)

    @admin.display(description="任务")
    def task(self, obj: DBTaskResult) -> str:
        return obj.task_name

    @admin.display(description="错误堆栈")
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description="计划执行时间")
    def display_run_after(self, obj: DBTaskResult):
        return super().display_run_after(obj)


class LoginAttemptAdmin(AccessAttemptAdmin):
    @admin.display(description="过期时间")
    def expiration(self, obj: AccessAttempt):
        return super().expiration(obj)

    @admin.display(description="状态")
    def status(self, obj: AccessAttempt):
        return super().status(obj)


for _model, _admin in ((DBTaskResult, TaskResultAdmin), (AccessAttempt, LoginAttemptAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _admin)
