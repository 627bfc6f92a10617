import secrets

from django.db import migrations


def fill_public_ids(apps, schema_editor):
    MemberProfile = apps.get_model("members", "MemberProfile")
    for profile in MemberProfile.objects.filter(public_id__isnull=True).only("pk"):
        profile.public_id = secrets.token_urlsafe(9)
        profile.save(update_fields=["public_id"])


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0002_profile_public_id_avatar_and_consent'),
    ]

    operations = [
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
    ]
