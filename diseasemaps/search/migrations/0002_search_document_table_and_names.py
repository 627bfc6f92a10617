"""
The moved search index takes this app's names: the table becomes search_searchdocument, and
its constraints and PostgreSQL indexes follow. Rows are kept (a rename, not a copy), and the
model's content type moves with it, so permissions granted on it stay granted.
"""

from django.db import migrations, models

OLD, NEW = "conditions_searchdocument", "search_searchdocument"
# The PostgreSQL-only indexes made by conditions.0003_search_indexes_on_postgresql.
POSTGRES_INDEXES = ["vector_gin", "names_trgm", "title_trgm"]


def rename_postgres_indexes(old: str, new: str):
    def rename(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for suffix in POSTGRES_INDEXES:
            schema_editor.execute(f"ALTER INDEX IF EXISTS {old}_{suffix} RENAME TO {new}_{suffix}")

    return rename


def move_content_type(from_label: str, to_label: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        types = ContentType.objects.using(db)
        if types.filter(app_label=to_label, model="searchdocument").exists():
            types.filter(app_label=from_label, model="searchdocument").delete()
        else:
            types.filter(app_label=from_label, model="searchdocument").update(app_label=to_label)

    return move


def _constraints(prefix: str):
    return [
        models.UniqueConstraint(
            condition=models.Q(("kind", "condition")),
            fields=("condition",),
            name=f"{prefix}_one_per_condition",
        ),
        models.CheckConstraint(
            condition=models.Q(
                models.Q(("kind", "condition"), ("question__isnull", True)),
                models.Q(("kind", "question"), ("question__isnull", False)),
                _connector="OR",
            ),
            name=f"{prefix}_kind_matches_question",
        ),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("conditions", "0004_search_document_moves_to_search"),
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="searchdocument", table=None),
        *[
            migrations.RemoveConstraint(model_name="searchdocument", name=constraint.name)
            for constraint in _constraints(OLD)
        ],
        *[
            migrations.AddConstraint(model_name="searchdocument", constraint=constraint)
            for constraint in _constraints(NEW)
        ],
        migrations.RunPython(rename_postgres_indexes(OLD, NEW), rename_postgres_indexes(NEW, OLD)),
        migrations.RunPython(
            move_content_type("conditions", "search"), move_content_type("search", "conditions")
        ),
    ]
