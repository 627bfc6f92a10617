"""
SearchDocument now belongs to the search app (search.0001_initial). Only Django's idea of the
model goes from here: the table and its rows stay, for the search app to rename.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("conditions", "0003_search_indexes_on_postgresql"),
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SearchDocument")],
            database_operations=[],
        ),
    ]
