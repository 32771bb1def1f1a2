from django.db import migrations, models


def rename_duplicate_siblings(apps, schema_editor):
    """Give siblings that share a name a numbered suffix, so the constraint can be added to a
    database that already holds them (names in sheets must lead to one node)."""
    GridNode = apps.get_model("grid", "GridNode")
    seen: dict[tuple, int] = {}
    for node in GridNode.objects.order_by("parent_id", "name", "id").only("id", "parent_id", "name"):
        key = (node.parent_id, node.name)
        count = seen.get(key, 0) + 1
        seen[key] = count
        if count > 1:
            new_name = f"{node.name}({count})"
            while GridNode.objects.filter(parent_id=node.parent_id, name=new_name).exists():
                count += 1
                new_name = f"{node.name}({count})"
            GridNode.objects.filter(pk=node.pk).update(name=new_name[:100])


class Migration(migrations.Migration):

    dependencies = [
        ("grid", "0002_path_field"),
    ]

    operations = [
        migrations.RunPython(rename_duplicate_siblings, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="gridnode",
            constraint=models.UniqueConstraint(fields=("parent", "name"), name="uniq_grid_sibling_name"),
        ),
    ]
