from django.db import migrations

# Which department serves which tag by default (docs/DOMAIN.md, "Departments and the tags they
# serve"); a superuser changes it in the admin (标签).
SERVED = {
    "civil_affairs": [  # 民政: social assistance and care
        "subsistence_allowance",
        "five_guarantees",
        "disabled",
        "elderly_living_alone",
        "left_behind_child",
    ],
    "emergency": ["elderly_living_alone", "disabled"],  # 应急: who needs help to evacuate
    "public_security": ["returnee"],  # 公安: returnee verification
    "law_enforcement": ["self_employed_business"],  # 综合执法: businesses
}


def forwards(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    Tag = apps.get_model("people", "Tag")
    departments = {d.code: d for d in Department.objects.filter(code__in=SERVED)}
    for code, tags in SERVED.items():
        if code in departments:
            departments[code].tags.add(*Tag.objects.filter(code__in=tags))


def backwards(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    Tag.departments.through.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_departments"),
        ("people", "0002_default_tags"),
        ("people", "0015_tag_departments"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
