from django.db import migrations

DEPARTMENTS = [
    ("public_security", "公安"),
    ("civil_affairs", "民政"),
    ("justice", "司法"),
    ("emergency", "应急"),
    ("petitions", "信访"),
    ("law_enforcement", "综合执法"),
]


def forwards(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    for code, name in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
