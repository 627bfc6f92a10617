"""Give every existing condition its A–Z letter (new and renamed ones get it on save)."""

from django.db import migrations


def fill_index_letters(apps, schema_editor):
    Condition = apps.get_model("conditions", "Condition")
    changed = []
    for condition in Condition.objects.only("pk", "name"):
        first = condition.name[:1].upper()
        condition.index_letter = first if first.isalpha() else "#"
        changed.append(condition)
    Condition.objects.bulk_update(changed, ["index_letter"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("conditions", "0005_condition_index_letter"),
    ]

    operations = [
        migrations.RunPython(fill_index_letters, migrations.RunPython.noop),
    ]
