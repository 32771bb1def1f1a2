from django.db import migrations

TAGS = [
    ("self_employed_business", "个体工商户"),
    ("large_grower", "种养大户"),
    ("subsistence_allowance", "低保户"),
    ("five_guarantees", "五保户"),
    ("poverty_alleviated", "脱贫户"),
    ("elderly_living_alone", "独居老人"),
    ("left_behind_child", "留守儿童"),
    ("disabled", "残疾人"),
    ("returnee", "返乡人员"),
]


def forwards(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    for code, name in TAGS:
        Tag.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
