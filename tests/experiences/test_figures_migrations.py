"""The data migrations that store the figures of the rows already there when they are deployed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("experiences", "0007_replies_under_posts"),
    ("members", "0012_avatars_in_public_storage"),
]
AFTER = [
    ("experiences", "0008_fill_question_figures"),
    ("members", "0013_fill_community_figures"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    apps_moved = {app for app, _ in targets}
    nodes = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in apps_moved]
    executor.migrate([*nodes, *targets])
    return executor.loader.project_state([*nodes, *targets]).apps


def test_existing_posts_and_members_are_counted_into_the_stored_figures():
    apps = _migrate(BEFORE)
    User = apps.get_model("members", "User")
    Condition = apps.get_model("conditions", "Condition")
    Question = apps.get_model("answers", "Question")
    Consent = apps.get_model("members", "HealthDataConsent")
    MemberCondition = apps.get_model("members", "MemberCondition")
    Experience = apps.get_model("experiences", "Experience")
    condition = Condition.objects.create(name="Rare Thing", slug="rare-thing")
    question = Question.objects.create(condition=condition, title="How?", slug="how")
    users = [User.objects.create(email=f"member{n}@example.org") for n in range(4)]
    for n, user in enumerate(users):
        consent = Consent.objects.create(
            user=user, condition=condition, purpose="member_condition", notice_version="test"
        )
        MemberCondition.objects.create(
            user=user,
            condition=condition,
            consent=consent,
            relationship="caring_for" if n == 3 else "living_with",
            is_counted=n != 2,
        )
    for n, (user, status) in enumerate(
        [
            (users[0], "approved"),
            (users[0], "approved"),
            (users[3], "approved"),
            (users[1], "pending"),
        ]
    ):
        Experience.objects.create(
            author=user,
            condition=condition,
            question=question,
            written_as="caring_for" if user == users[3] else "living_with",
            status=status,
            approved_at="2026-01-01T00:00Z" if status == "approved" else None,
            body=f"My own experience of it ({n}).",
            body_html="",
        )

    apps = _migrate(AFTER)

    question = apps.get_model("answers", "Question").objects.get(slug="how")
    assert (
        question.visible_experience_count,
        question.people_living_with,
        question.people_caring_for,
        question.unattributed_experience_count,
    ) == (3, 1, 1, 0)
    assert apps.get_model("conditions", "Condition").objects.get().member_count == 2
