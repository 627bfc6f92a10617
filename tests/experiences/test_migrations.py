"""The data migration that records the relationship existing posts were written from."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("experiences", "0003_experience_written_as_and_former_author_key")
AFTER = ("experiences", "0004_fill_written_as_of_existing_posts")


def _migrate(target):
    """`target` for experiences, every other app as it is now (members' rows need consents)."""
    executor = MigrationExecutor(connection)
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "experiences"]
    targets.append(target)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_posts_take_their_authors_relationship_and_departed_authors_posts_stay_empty():
    apps = _migrate(BEFORE)
    User = apps.get_model("members", "User")
    Condition = apps.get_model("conditions", "Condition")
    MemberCondition = apps.get_model("members", "MemberCondition")
    Experience = apps.get_model("experiences", "Experience")
    condition = Condition.objects.create(name="Rare Thing", slug="rare-thing")
    living, caring, withdrew = (
        User.objects.create(email=f"{name}@example.org")
        for name in ("living", "caring", "withdrew")
    )
    Consent = apps.get_model("members", "HealthDataConsent")
    for user, relationship in ((living, "living_with"), (caring, "caring_for")):
        consent = Consent.objects.create(
            user=user, condition=condition, purpose="member_condition", notice_version="test"
        )
        MemberCondition.objects.create(
            user=user, condition=condition, relationship=relationship, consent=consent
        )
    posts = {
        name: Experience.objects.create(
            author=author, condition=condition, body="My own experience of it.", body_html=""
        ).pk
        for name, author in (
            ("living", living),
            ("caring", caring),
            ("withdrew", withdrew),
            ("departed", None),
        )
    }

    apps = _migrate(AFTER)

    Experience = apps.get_model("experiences", "Experience")
    written_as = dict(Experience.objects.values_list("pk", "written_as"))
    assert {name: written_as[pk] for name, pk in posts.items()} == {
        "living": "living_with",
        "caring": "caring_for",
        "withdrew": "",
        "departed": "",
    }
    assert not Experience.objects.filter(former_author_key__isnull=False).exists()

    apps = _migrate(BEFORE)
    assert set(
        apps.get_model("experiences", "Experience").objects.values_list("written_as", flat=True)
    ) == {""}
    executor = MigrationExecutor(connection)  # back to the latest schema for the tests after
    executor.migrate(executor.loader.graph.leaf_nodes())
