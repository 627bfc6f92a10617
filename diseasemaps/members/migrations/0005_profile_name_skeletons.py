from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_profile_public_id_unique'),
    ]

    operations = [
        # Nullable first: the next migration fills them for existing profiles.
        migrations.AddField(
            model_name='memberprofile',
            name='name_skeleton',
            field=models.TextField(editable=False, help_text="The name's confusable skeleton (Unicode TR39), as written.", null=True),
        ),
        migrations.AddField(
            model_name='memberprofile',
            name='name_skeleton_folded',
            field=models.TextField(editable=False, help_text='The confusable skeleton of the name with its case folded.', null=True),
        ),
    ]
