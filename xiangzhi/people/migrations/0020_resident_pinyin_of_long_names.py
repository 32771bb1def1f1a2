"""Pinyin and initials wide enough for any name of the 50 characters allowed (300 and 50).

PostgreSQL enforces a varchar's length: a name of 31 characters or more failed with DataError.
There, widening a varchar is a change of the catalogue only (no rewrite, no index rebuilt). SQLite
never enforces the length, and it would rebuild the whole table for each field, so it is left
as it is there.
"""

from django.db import migrations, models

WIDER = {"name_pinyin": 300, "name_initials": 50}
NARROWER = {"name_pinyin": 120, "name_initials": 30}


def _field(model, name: str, width: int) -> models.CharField:
    field = models.CharField(max_length=width, editable=False)
    field.set_attributes_from_name(name)
    field.model = model
    return field


def _alter(apps, schema_editor, before: dict[str, int], after: dict[str, int]) -> None:
    if schema_editor.connection.vendor == "sqlite":
        return
    Resident = apps.get_model("people", "Resident")
    for name in after:
        schema_editor.alter_field(
            Resident, _field(Resident, name, before[name]), _field(Resident, name, after[name])
        )


def widen(apps, schema_editor):
    _alter(apps, schema_editor, NARROWER, WIDER)


def narrow(apps, schema_editor):
    _alter(apps, schema_editor, WIDER, NARROWER)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0019_change_destination_and_reason"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(widen, narrow)],
            state_operations=[
                migrations.AlterField(
                    model_name="resident",
                    name=name,
                    field=models.CharField(editable=False, max_length=width),
                )
                for name, width in WIDER.items()
            ],
        ),
    ]
