import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0007_profile_name_skeletons_unique'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='healthdataconsent',
            name='members_consent_once_per_condition',
        ),
        # Every consent given so far was for this one purpose: the form asked for nothing else.
        migrations.AddField(
            model_name='healthdataconsent',
            name='purpose',
            field=models.CharField(choices=[('member_condition', 'Keep this condition on my list, shown only to the people I choose and counted in the community figure only if I ask')], default='member_condition', help_text='What the member agreed to.', max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='healthdataconsent',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, help_text='When the member withdrew it; empty while in force.', null=True),
        ),
        # Nullable first: the next migration links each row to its consent.
        migrations.AddField(
            model_name='membercondition',
            name='consent',
            field=models.OneToOneField(help_text="The member's consent to store this row.", null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='member_condition', to='members.healthdataconsent'),
        ),
        migrations.AddConstraint(
            model_name='healthdataconsent',
            constraint=models.UniqueConstraint(condition=models.Q(('withdrawn_at__isnull', True)), fields=('user', 'condition', 'purpose'), name='members_consent_one_in_force_per_purpose'),
        ),
        migrations.AddConstraint(
            model_name='healthdataconsent',
            constraint=models.CheckConstraint(condition=models.Q(('withdrawn_at__isnull', True), ('withdrawn_at__gte', models.F('given_at')), _connector='OR'), name='members_consent_withdrawn_after_given'),
        ),
    ]
