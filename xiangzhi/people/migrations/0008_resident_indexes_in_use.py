"""Only the resident indexes a query uses (each costs every write; an import writes 100,000 rows).

Dropped: status (three values), the plain pinyin and initials indexes on PostgreSQL (LIKE 'q%'
needs the pattern-operator ones, which are kept) and the pattern-operator indexes of the blind
indexes (never matched by prefix). The ID number's blind index is NULL when there is no ID, so
that one unique index serves both the rule and the lookups; on SQLite the partial unique index
could not serve lookups and a second index was kept for them.

SQLite rebuilds the table once (making the column nullable needs it), after the other index
changes, so that the rebuild already has them; the unique rule is then one CREATE UNIQUE INDEX.
"""

from django.db import migrations, models

from xiangzhi.core.schema import create_column_indexes, drop_column_indexes

PLAIN = ["name_pinyin", "name_initials", "phone_index", "status"]


def drop_old_indexes(apps, schema_editor):
    drop_column_indexes(schema_editor, apps.get_model("people", "Resident"), PLAIN)


def create_old_indexes(apps, schema_editor):
    create_column_indexes(schema_editor, apps.get_model("people", "Resident"), PLAIN)


UNIQUE = models.UniqueConstraint(fields=("id_number_index",), name="uniq_resident_id_number")


def add_unique(apps, schema_editor):
    Resident = apps.get_model("people", "Resident")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            'CREATE UNIQUE INDEX "uniq_resident_id_number" ON "people_resident" ("id_number_index")'
        )
    else:
        schema_editor.add_constraint(Resident, UNIQUE)


def remove_unique(apps, schema_editor):
    Resident = apps.get_model("people", "Resident")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('DROP INDEX "uniq_resident_id_number"')
    else:
        schema_editor.remove_constraint(Resident, UNIQUE)


def empty_to_null(apps, schema_editor):
    Resident = apps.get_model("people", "Resident")
    Resident.objects.filter(id_number_index="").update(id_number_index=None)


def null_to_empty(apps, schema_editor):
    Resident = apps.get_model("people", "Resident")
    Resident.objects.filter(id_number_index=None).update(id_number_index="")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_resident_surname_pinyin"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="resident", name="uniq_resident_id_number"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="resident",
                    name="name_initials",
                    field=models.CharField(editable=False, max_length=30),
                ),
                migrations.AlterField(
                    model_name="resident",
                    name="name_pinyin",
                    field=models.CharField(editable=False, max_length=120),
                ),
                migrations.AlterField(
                    model_name="resident",
                    name="phone_index",
                    field=models.CharField(blank=True, editable=False, max_length=64),
                ),
                migrations.AlterField(
                    model_name="resident",
                    name="status",
                    field=models.CharField(
                        choices=[("active", "在册"), ("moved_out", "已迁出"), ("deceased", "已死亡")],
                        default="active",
                        max_length=20,
                        verbose_name="状态",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_old_indexes, create_old_indexes)],
        ),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(
                fields=["name_pinyin"], name="resident_pinyin", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(
                fields=["name_initials"], name="resident_initials", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(fields=["phone_index"], name="resident_phone_index"),
        ),
        migrations.AlterField(
            model_name="resident",
            name="id_number_index",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(empty_to_null, null_to_empty),
        # On SQLite, Django adds a unique constraint by copying the table once more: a unique
        # index is the same rule, added in one statement.
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddConstraint(model_name="resident", constraint=UNIQUE)],
            database_operations=[migrations.RunPython(add_unique, remove_unique)],
        ),
    ]
