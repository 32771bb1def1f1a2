"""尾号 search: keyed indexes of the last four characters of each ID and phone number, filled
for the residents already registered (decrypted here, once) before their indexes are built."""

from django.db import migrations, models

from xiangzhi.core.crypto import last4_index

BATCH = 5000


def fill(apps, schema_editor):
    """Compute both last-four indexes of every resident with a number."""
    Resident = apps.get_model("people", "Resident")
    table = Resident._meta.db_table
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            rows = list(
                Resident.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "id_number", "phone")[:BATCH]
            )
            if not rows:
                break
            cursor.executemany(
                f"UPDATE {table} SET id_number_last4 = %s, phone_last4 = %s WHERE id = %s",
                [
                    (last4_index(number, "id"), last4_index(phone, "phone"), pk)
                    for pk, number, phone in rows
                    if number or phone
                ],
            )
            last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0013_resident_id_mask_without_sequence"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="id_number_last4",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="resident",
            name="phone_last4",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(fields=["id_number_last4"], name="resident_id_last4"),
        ),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(fields=["phone_last4"], name="resident_phone_last4"),
        ),
    ]
