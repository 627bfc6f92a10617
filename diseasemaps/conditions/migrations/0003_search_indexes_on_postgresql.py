"""
The search indexes that only PostgreSQL has: pg_trgm, a GIN index on the weighted vector and a
trigram GIN index on names and titles. On any other database this migration does nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    (
        "conditions_searchdocument_vector_gin",
        "USING gin (search_vector)",
    ),
    (
        "conditions_searchdocument_names_trgm",
        "USING gin (names gin_trgm_ops)",
    ),
    (
        "conditions_searchdocument_title_trgm",
        "USING gin (title gin_trgm_ops)",
    ),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, method in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON conditions_searchdocument {method}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _method in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("conditions", "0002_search_document"),
    ]

    operations = [
        # Does nothing on databases other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
