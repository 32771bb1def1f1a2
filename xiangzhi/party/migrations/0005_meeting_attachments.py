# A meeting takes several attachments (issue 13): Meeting.attachment becomes MeetingAttachment
# rows, the file kept where it is and named by its stored name.

import django.db.models.deletion
from django.db import migrations, models

import xiangzhi.party.models.meetings


def attachments_to_rows(apps, schema_editor):
    Meeting = apps.get_model("party", "Meeting")
    MeetingAttachment = apps.get_model("party", "MeetingAttachment")
    rows = [
        MeetingAttachment(meeting_id=pk, file=stored, name=stored.rsplit("/", 1)[-1][:120])
        for pk, stored in Meeting.objects.exclude(attachment="")
        .values_list("pk", "attachment")
        .iterator()
    ]
    MeetingAttachment.objects.bulk_create(rows, batch_size=500)


def rows_to_attachments(apps, schema_editor):
    Meeting = apps.get_model("party", "Meeting")
    MeetingAttachment = apps.get_model("party", "MeetingAttachment")
    rows = MeetingAttachment.objects.order_by("-id").values_list("meeting_id", "file")
    for meeting_id, stored in rows:
        Meeting.objects.filter(pk=meeting_id).update(attachment=stored)  # the first is kept


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0004_visit_photos"),
    ]

    operations = [
        migrations.CreateModel(
            name="MeetingAttachment",
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
                        storage=xiangzhi.party.models.meetings.attachment_storage,
                        upload_to="meetings/%Y/%m/",
                        verbose_name="附件",
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="文件名")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="party.meeting",
                        verbose_name="会议",
                    ),
                ),
            ],
            options={
                "verbose_name": "会议附件",
                "verbose_name_plural": "会议附件",
                "ordering": ["id"],
            },
        ),
        migrations.RunPython(attachments_to_rows, rows_to_attachments),
        migrations.RemoveField(model_name="meeting", name="attachment"),
    ]
