from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0006_fill_profile_name_skeletons'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='memberprofile',
            name='members_profile_display_name_ci_unique',
        ),
        migrations.AlterField(
            model_name='memberprofile',
            name='name_skeleton',
            field=models.TextField(editable=False, help_text="The name's confusable skeleton (Unicode TR39), as written."),
        ),
        migrations.AlterField(
            model_name='memberprofile',
            name='name_skeleton_folded',
            field=models.TextField(editable=False, help_text='The confusable skeleton of the name with its case folded.'),
        ),
        migrations.AddConstraint(
            model_name='memberprofile',
            constraint=models.UniqueConstraint(fields=('name_skeleton',), name='members_profile_name_skeleton_unique', violation_error_message='Another member already uses this name, or one that looks just like it.'),
        ),
        migrations.AddConstraint(
            model_name='memberprofile',
            constraint=models.UniqueConstraint(fields=('name_skeleton_folded',), name='members_profile_name_skeleton_folded_unique', violation_error_message='Another member already uses this name, or one that looks just like it.'),
        ),
        migrations.AddConstraint(
            model_name='memberprofile',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('name_skeleton', ''), _negated=True), models.Q(('name_skeleton_folded', ''), _negated=True)), name='members_profile_name_skeletons_set'),
        ),
    ]
