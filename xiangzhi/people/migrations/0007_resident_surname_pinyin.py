"""Recompute the pinyin of residents whose surname has a reading of its own (单 shan, 曾 zeng)."""

from functools import reduce
from operator import or_

from django.db import migrations
from django.db.models import Q

from xiangzhi.people.pinyin import SURNAME_READINGS, name_pinyin

BATCH = 5000


def recompute(apps, schema_editor):
    Resident = apps.get_model("people", "Resident")
    starts = reduce(or_, (Q(name__startswith=s) for s in SURNAME_READINGS))
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            rows = list(
                Resident.objects.filter(starts, pk__gt=last)
                .order_by("pk")
                .values_list("pk", "name")[:BATCH]
            )
            if not rows:
                break
            cursor.executemany(
                "UPDATE people_resident SET name_pinyin = %s, name_initials = %s WHERE id = %s",
                [(*name_pinyin(name), pk) for pk, name in rows],
            )
            last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("people", "0006_resident_masks_db_default")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
