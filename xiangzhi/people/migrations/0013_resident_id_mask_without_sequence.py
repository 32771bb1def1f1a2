"""The stored ID masks hide the sequence digits (4305*************X), so that a mask, the birth
date and the village's division code no longer give the whole number."""

from django.db import migrations

from xiangzhi.core.crypto import mask_id_number

BATCH = 5000


def remask(apps, schema_editor):
    """Recompute every stored ID mask from the number (decrypted here, once)."""
    Resident = apps.get_model("people", "Resident")
    table = Resident._meta.db_table
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            rows = list(
                Resident.objects.filter(pk__gt=last)
                .exclude(id_number_index=None)
                .order_by("pk")
                .values_list("pk", "id_number")[:BATCH]
            )
            if not rows:
                break
            cursor.executemany(
                f"UPDATE {table} SET id_number_mask = %s WHERE id = %s",
                [(mask_id_number(number), pk) for pk, number in rows],
            )
            last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0012_import_job_to_core"),
    ]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
