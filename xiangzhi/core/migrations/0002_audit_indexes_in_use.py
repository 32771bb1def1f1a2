"""Only the audit indexes the search uses: one (pattern-operator) index on the action, one on
(object type, object number) and one on the number. On PostgreSQL this drops the `_like` twins of
type and number (never matched by prefix); every append wrote nine index entries, now seven.
No table copy on SQLite (see xiangzhi.core.schema)."""

from django.db import migrations, models

from xiangzhi.core.schema import create_column_indexes, drop_column_indexes

COLUMNS = ["action", "object_type", "object_id"]


def drop_old_indexes(apps, schema_editor):
    drop_column_indexes(schema_editor, apps.get_model("core", "AuditEvent"), COLUMNS)


def create_old_indexes(apps, schema_editor):
    create_column_indexes(schema_editor, apps.get_model("core", "AuditEvent"), COLUMNS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="action",
                    field=models.CharField(max_length=80, verbose_name="操作"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="object_type",
                    field=models.CharField(blank=True, max_length=80, verbose_name="对象类型"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="object_id",
                    field=models.CharField(blank=True, max_length=64, verbose_name="对象编号"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_old_indexes, create_old_indexes)],
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["action"], name="audit_action", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["object_id"], name="audit_object_id"),
        ),
    ]
