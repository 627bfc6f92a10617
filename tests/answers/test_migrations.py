"""Migrations that rewrite data, run backwards and forwards on a database holding rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from diseasemaps.answers.models import Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("answers", "0003_source_authors_and_citations")


def migrate(targets=None) -> MigrationExecutor:
    """Migrate to `targets`, or to the latest migrations of every app."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


def test_links_saved_with_quotes_are_percent_encoded_before_the_constraint_is_added():
    quoted = SourceFactory(url="https://example.org/paper")
    plain = SourceFactory(url="https://example.org/plain?a=1&b=2")
    executor = migrate([BEFORE])
    old_source = executor.loader.project_state([BEFORE]).apps.get_model("answers", "Source")
    old_source.objects.filter(pk=quoted.pk).update(url='https://example.org/it\'s/<b>"x"`')
    migrate()
    assert Source.objects.get(pk=quoted.pk).url == ("https://example.org/it%27s/%3Cb%3E%22x%22%60")
    assert Source.objects.get(pk=plain.pk).url == "https://example.org/plain?a=1&b=2"
