"""
The search index moves here from the conditions app, without touching its data: this migration
only tells Django that the model now belongs to this app, still on its old table; the next one
gives the table, its constraints and its indexes this app's names.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("answers", "0001_initial"),
        ("conditions", "0003_search_indexes_on_postgresql"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchDocument",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("condition", "Condition"), ("question", "Question")], max_length=20)),
                        ("title", models.CharField(max_length=300)),
                        ("names", models.TextField(help_text="The condition's name, abbreviation and aliases.")),
                        ("summary", models.TextField(help_text="The short answer, or the condition's summary.")),
                        ("text", models.TextField(help_text="The live answer's text, without markup.")),
                        ("search_vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("condition", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="search_documents", to="conditions.condition")),
                        ("question", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="search_document", to="answers.question")),
                    ],
                    options={
                        "db_table": "conditions_searchdocument",
                        "constraints": [
                            models.UniqueConstraint(condition=models.Q(("kind", "condition")), fields=("condition",), name="conditions_searchdocument_one_per_condition"),
                            models.CheckConstraint(condition=models.Q(models.Q(("kind", "condition"), ("question__isnull", True)), models.Q(("kind", "question"), ("question__isnull", False)), _connector="OR"), name="conditions_searchdocument_kind_matches_question"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
