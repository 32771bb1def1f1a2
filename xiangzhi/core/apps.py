from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _imports_panel(*, actor, obj, can_write: bool) -> dict | None:
    """The workbench's to-do of checked sheets waiting for 确认导入 (the user's own)."""
    from .sheets.selectors import import_jobs_to_confirm

    jobs = import_jobs_to_confirm(actor=actor)
    return {"jobs": jobs} if jobs else None


def _workdays_panel(*, actor, obj, can_write: bool) -> dict | None:
    """Ask the deployment's administrators for the holidays of a year the calendar lacks."""
    from .roles import ACCOUNT_ADMIN_ROLES
    from .workdays import years_needing_holidays

    scope = obj.scope
    if not (
        scope.superuser
        or any(level <= 1 for role, _, level in scope.bindings if role in ACCOUNT_ADMIN_ROLES)
    ):
        return None
    years = years_needing_holidays(obj.today)
    return {"years": years, "may_edit": scope.superuser} if years else None


def analyze_after_migrate(sender, using="default", **kwargs):
    """SQLite applies many schema changes by copying the table, which drops its statistics."""
    from .dbstats import refresh_planner_statistics

    refresh_planner_statistics(using)


def fill_figures_after_migrate(sender, using="default", **kwargs):
    """An existing database gets its figure rows with `migrate` (core.figures.fill_if_empty):
    the table of fine rows is new and empty while records exist."""
    from django.db import DatabaseError, connections, transaction

    from . import figures

    if (
        using != "default"
        or "core_figurefinecount" not in connections[using].introspection.table_names()
    ):
        return
    try:
        with transaction.atomic(using=using):
            figures.fill_if_empty()
    except DatabaseError:  # an app's table is not migrated yet (migrate to an older state)
        return


class CoreConfig(AppConfig):
    name = "xiangzhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from . import checks  # noqa: F401  (registers the app-contract system checks)
        from .actions import LEGACY, CoreAction
        from .registry import register_actions, register_entity, register_nav, register_panel
        from .scope import scope_for
        from .workdays import connect_signals as connect_workday_signals

        register_actions(CoreAction, legacy=LEGACY)
        register_nav(
            "audit",
            "审计日志",
            "core:audit_list",
            order=90,
            visible=lambda u: scope_for(u).can_audit,
        )
        register_entity("import_job", "core.ImportJob")
        register_entity("notification", "core.Notification")
        register_nav(
            "webhooks",
            "推送失败",
            "core:webhook_failures",
            order=95,
            visible=lambda u: u.is_superuser,
        )
        register_nav("home", "工作台", "home", order=0)
        register_panel(
            "workbench", "workdays", "core/panels/workdays.html", _workdays_panel, order=5
        )
        register_panel("workbench", "imports", "core/panels/imports.html", _imports_panel, order=10)
        connect_workday_signals()
        post_migrate.connect(fill_figures_after_migrate, sender=self, dispatch_uid="xz-figures")
        post_migrate.connect(analyze_after_migrate, sender=self, dispatch_uid="xz-analyze")
