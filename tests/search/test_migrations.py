"""The search index moved from the conditions app to its own without losing a row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_THE_MOVE = [("conditions", "0003_search_indexes_on_postgresql")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_moving_the_search_index_to_its_own_app_keeps_its_rows_and_permissions():
    old_apps = _migrate(BEFORE_THE_MOVE)
    Condition = old_apps.get_model("conditions", "Condition")
    OldDocument = old_apps.get_model("conditions", "SearchDocument")
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    condition = Condition.objects.create(name="Moved condition", slug="moved", summary="Kept.")
    OldDocument.objects.create(
        kind="condition", condition=condition, title="Moved condition", names="Moved", summary=""
    )
    old_type, _ = ContentType.objects.get_or_create(app_label="conditions", model="searchdocument")

    new_apps = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    Document = new_apps.get_model("search", "SearchDocument")
    assert Document._meta.db_table == "search_searchdocument"
    assert list(Document.objects.values_list("title", "condition__slug")) == [
        ("Moved condition", "moved")
    ]
    moved_type = new_apps.get_model("contenttypes", "ContentType").objects.get(pk=old_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("search", "searchdocument")
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "search_searchdocument")
    assert "search_searchdocument_one_per_condition" in constraints
    if connection.vendor == "postgresql":
        for suffix in ("vector_gin", "names_trgm", "title_trgm"):
            assert f"search_searchdocument_{suffix}" in constraints


@pytest.mark.postgres_only  # reason: planner statistics targets are PostgreSQL's
def test_names_and_titles_keep_few_statistics_for_the_planner(db):
    # Each trigram condition is estimated by trying it on every common value and histogram bound
    # kept for its column; few of them keep planning a search cheaper than running it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute"
            " WHERE attrelid = 'search_searchdocument'::regclass AND attname IN ('names', 'title')"
        )
        assert dict(cursor.fetchall()) == {"names": 10, "title": 10}
