"""Store each condition's community figure, counted from the rows as members/figures.py does."""

from django.db import migrations, models


def fill(apps, schema_editor):
    Condition = apps.get_model("conditions", "Condition")
    MemberCondition = apps.get_model("members", "MemberCondition")
    counts = (
        MemberCondition.objects.filter(
            relationship="living_with", is_counted=True, user__is_active=True
        )
        .order_by()
        .values("condition_id")
        .annotate(members=models.Count("pk"))
        .values_list("condition_id", "members")
    )
    for condition_id, members in counts:
        Condition.objects.filter(pk=condition_id).update(member_count=members)


class Migration(migrations.Migration):
    dependencies = [
        ("conditions", "0007_condition_member_count"),
        ("members", "0012_avatars_in_public_storage"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
