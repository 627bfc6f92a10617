"""
Source links may no longer hold quotes, angle brackets or backticks (the next migration adds
the check constraint). Links saved before are rewritten percent-encoded, which is the same
address, so that the constraint can be added without losing any source.
"""

from django.db import migrations

URL_MAX_LENGTH = 500
ENCODED = {'"': "%22", "'": "%27", "<": "%3C", ">": "%3E", "`": "%60"}


def percent_encode_links(apps, schema_editor):
    Source = apps.get_model("answers", "Source")
    for source in Source.objects.exclude(url="").only("pk", "url").iterator():
        url = "".join(ENCODED.get(char, char) for char in source.url)
        if len(url) > URL_MAX_LENGTH:
            raise RuntimeError(
                f"Source {source.pk}: its link is too long once percent-encoded; shorten it "
                "in the admin, then migrate again."
            )
        if url != source.url:
            Source.objects.filter(pk=source.pk).update(url=url)


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0003_source_authors_and_citations"),
    ]

    operations = [
        # The encoded links are the same addresses, so undoing the migration keeps them.
        migrations.RunPython(percent_encode_links, migrations.RunPython.noop, elidable=True),
    ]
