"""Audit chains per township (issue 11, point 6).

The events written before this migration stay where they are, hashed as they were: they form
the legacy chain (head pk 1, key "~legacy"), which is frozen (no event is ever appended to it)
and is verified with the hash payload it was written with. Re-chaining them into township chains
would mean recomputing every hash, which is exactly the rewrite the chain exists to expose, and
would take the migration hours on a large trail. New events go to their township's chain.
"""

from django.db import migrations, models


def legacy_chain(apps, schema_editor):
    AuditHead = apps.get_model("core", "AuditHead")
    AuditEvent = apps.get_model("core", "AuditEvent")
    if AuditHead.objects.filter(pk=1).exists():
        AuditHead.objects.filter(pk=1).update(key="~legacy", frozen=True)
    elif AuditEvent.objects.exists():  # a trail without its head row: verify_audit will say so
        AuditHead.objects.create(pk=1, key="~legacy", frozen=True, seq=0)
    for i, head in enumerate(AuditHead.objects.filter(key__isnull=True)):
        head.key = f"~orphan{i}"
        head.frozen = True
        head.save(update_fields=["key", "frozen"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_importjob_started_task"),
    ]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="key",
            field=models.CharField(max_length=255, null=True, verbose_name="链标识"),
        ),
        migrations.AddField(
            model_name="audithead",
            name="node_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="乡镇网格"),
        ),
        migrations.AddField(
            model_name="audithead",
            name="frozen",
            field=models.BooleanField(default=False, verbose_name="已冻结"),
        ),
        migrations.RunPython(legacy_chain, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="audithead",
            name="key",
            field=models.CharField(max_length=255, unique=True, verbose_name="链标识"),
        ),
        migrations.AlterModelOptions(
            name="audithead",
            options={"verbose_name": "审计链头", "verbose_name_plural": "审计链头"},
        ),
        # Every existing event belongs to the legacy chain (pk 1).
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                default=1,
                on_delete=models.deletion.DO_NOTHING,
                related_name="+",
                to="core.audithead",
                verbose_name="审计链",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(verbose_name="序号"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_chain_seq"),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["-pk"],
                "verbose_name": "审计事件",
                "verbose_name_plural": "审计事件",
            },
        ),
    ]
