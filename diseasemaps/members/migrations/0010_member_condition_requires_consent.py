import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0009_link_member_conditions_to_consents'),
    ]

    operations = [
        migrations.AlterField(
            model_name='membercondition',
            name='consent',
            field=models.OneToOneField(help_text="The member's consent to store this row.", on_delete=django.db.models.deletion.RESTRICT, related_name='member_condition', to='members.healthdataconsent'),
        ),
    ]
