from django.apps import AppConfig
from django.db.models.signals import post_migrate


def analyze_after_migrate(sender, using="default", **kwargs):
    """Refresh SQLite's planner statistics after migrations.

    SQLite applies many schema changes by copying the table, which drops its statistics; without
    them the planner chose a full scan for the resident list at county scale (8 ms -> 350 ms).
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class CoreConfig(AppConfig):
    name = "xiangzhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        post_migrate.connect(analyze_after_migrate, sender=self, dispatch_uid="xz-analyze")
