# A visit takes several photos (issue 13): Visit.photo becomes VisitPhoto rows, the file kept
# where it is.

import django.db.models.deletion
from django.db import migrations, models

import xiangzhi.party.models.visits


def photos_to_rows(apps, schema_editor):
    Visit = apps.get_model("party", "Visit")
    VisitPhoto = apps.get_model("party", "VisitPhoto")
    rows = [
        VisitPhoto(visit_id=pk, file=name)
        for pk, name in Visit.objects.exclude(photo="").values_list("pk", "photo").iterator()
    ]
    VisitPhoto.objects.bulk_create(rows, batch_size=500)


def rows_to_photos(apps, schema_editor):
    Visit = apps.get_model("party", "Visit")
    VisitPhoto = apps.get_model("party", "VisitPhoto")
    for visit_id, name in VisitPhoto.objects.order_by("-id").values_list("visit_id", "file"):
        Visit.objects.filter(pk=visit_id).update(photo=name)  # the first photo is kept


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0003_posts_meetings_talks_transfers"),
    ]

    operations = [
        migrations.CreateModel(
            name="VisitPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=200,
                        upload_to=xiangzhi.party.models.visits.photo_path,
                        verbose_name="照片",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "visit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="party.visit",
                        verbose_name="走访",
                    ),
                ),
            ],
            options={
                "verbose_name": "走访照片",
                "verbose_name_plural": "走访照片",
                "ordering": ["id"],
            },
        ),
        migrations.RunPython(photos_to_rows, rows_to_photos),
        migrations.RemoveField(model_name="visit", name="photo"),
    ]
