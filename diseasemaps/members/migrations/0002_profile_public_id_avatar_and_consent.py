import diseasemaps.members.models
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('conditions', '0001_initial'),
        ('members', '0001_initial'),
    ]

    operations = [
        # Nullable first: existing profiles get their random public id in the next migration.
        migrations.AddField(
            model_name='memberprofile',
            name='public_id',
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.AddField(
            model_name='memberprofile',
            name='avatar',
            field=models.FileField(blank=True, editable=False, upload_to=diseasemaps.members.models.avatar_path),
        ),
        migrations.AddField(
            model_name='memberprofile',
            name='avatar_small',
            field=models.FileField(blank=True, editable=False, upload_to=diseasemaps.members.models.avatar_path),
        ),
        migrations.AlterField(
            model_name='memberprofile',
            name='is_bio_public',
            field=models.BooleanField(default=False, verbose_name='show my bio on my public page'),
        ),
        migrations.CreateModel(
            name='HealthDataConsent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('notice_version', models.CharField(max_length=20, verbose_name='privacy notice version')),
                ('given_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('condition', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='conditions.condition')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health_data_consents', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'condition'), name='members_consent_once_per_condition')],
            },
        ),
    ]
