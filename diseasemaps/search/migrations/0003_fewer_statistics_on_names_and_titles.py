"""
Names and titles are only ever searched by trigram similarity, and the planner estimates a
similarity condition by trying it on every sampled common value and histogram bound of the
column: at the default statistics target, some 300 similarities per searched word, which at
scale cost more than the search itself. A target of 10 keeps estimates from a few values, and
the plan the same (the trigram indexes). On any other database this migration does nothing.
"""

from django.db import migrations

TABLE = "search_searchdocument"
COLUMNS = ["names", "title"]
# Small, but large enough (10 or more histogram bounds) for the planner still to use them.
STATISTICS = 10


def set_statistics(target: int):
    def set_them(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STATISTICS {target}"
            )
        # Statistics gathered at the old target stay until the next ANALYZE: gather them now.
        schema_editor.execute(f"ANALYZE {TABLE}")

    return set_them


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_search_document_table_and_names"),
    ]

    operations = [
        # -1: the server's default_statistics_target, as before.
        migrations.RunPython(set_statistics(STATISTICS), set_statistics(-1)),
    ]
