from pathlib import Path

import pytest

from tests.security.world import build_world

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    """
    The audit runs on PostgreSQL, the production database, only: the SQLite pass of make test
    would repeat its slowest checks (the authorization matrix, every GET as every role) for
    nothing the PostgreSQL pass does not already prove.
    """
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.postgres_only)


@pytest.fixture
def world(db):
    return build_world()
