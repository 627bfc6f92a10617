import diseasemaps.members.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_fill_profile_public_ids'),
    ]

    operations = [
        migrations.AlterField(
            model_name='memberprofile',
            name='public_id',
            field=models.CharField(default=diseasemaps.members.models.new_public_id, editable=False, help_text="The public member page's address.", max_length=16, unique=True),
        ),
    ]
