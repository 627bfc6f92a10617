"""
Posts' HTML is rendered when they are saved. The renderer now marks members' links
"noreferrer" too and keeps a link without a host ("https:/accounts/logout/") as plain text,
so the stored HTML of every post, and of every edit waiting, is rendered again.
"""

from django.db import migrations

from diseasemaps.experiences.models import render_experience_markdown


def rerender(apps, schema_editor):
    Experience = apps.get_model("experiences", "Experience")
    batch = []
    for experience in Experience.objects.only("pk", "body", "pending_body").iterator(2000):
        experience.body_html = render_experience_markdown(experience.body)
        experience.pending_body_html = (
            render_experience_markdown(experience.pending_body) if experience.pending_body else ""
        )
        batch.append(experience)
        if len(batch) == 500:
            Experience.objects.bulk_update(batch, ["body_html", "pending_body_html"])
            batch = []
    Experience.objects.bulk_update(batch, ["body_html", "pending_body_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("experiences", "0004_fill_written_as_of_existing_posts"),
    ]

    operations = [
        # Going back leaves the newer HTML, which the older code reads just as well.
        migrations.RunPython(rerender, migrations.RunPython.noop, elidable=True),
    ]
