import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ExperienceFactory


@pytest.mark.django_db(transaction=True)
def test_the_migration_renders_stored_posts_again_with_noreferrer_links():
    experience = ExperienceFactory(body="Read [the leaflet](https://example.org/leaflet).")
    type(experience).objects.filter(pk=experience.pk).update(
        body_html='<p><a href="https://example.org/leaflet" rel="nofollow ugc noopener">the '
        "leaflet</a></p>"
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("experiences", "0004_fill_written_as_of_existing_posts")])
    try:
        executor.loader.build_graph()
        executor.migrate([("experiences", "0005_rerender_posts_with_noreferrer_links")])
    finally:  # back to the latest schema, whatever came after, for the tests that follow
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    experience.refresh_from_db()
    assert 'rel="nofollow ugc noopener noreferrer"' in experience.body_html
