"""
The members app's data migrations, run on rows stored before them: forwards, then backwards
and forwards again, as a deployment and a rollback would.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_SKELETONS = ("members", "0004_profile_public_id_unique")


def migrate(target: tuple[str, str]):
    """Migrate the members app to `target`; the historical apps as they are there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def latest() -> tuple[str, str]:
    executor = MigrationExecutor(connection)
    return next(node for node in executor.loader.graph.leaf_nodes() if node[0] == "members")


@pytest.fixture
def before_skeletons():
    apps = migrate(BEFORE_SKELETONS)
    yield apps
    migrate(latest())


def test_names_stored_before_the_rules_are_normalised_and_lookalikes_numbered(
    before_skeletons,
):
    User = before_skeletons.get_model("members", "User")
    MemberProfile = before_skeletons.get_model("members", "MemberProfile")
    now = timezone.now()
    names = [
        "BraveWillow1",  # first: keeps its name
        "Brave\u200bWillow1",  # the impersonation from the issue
        "ＢｒａｖｅＷｉｌｌｏｗ1",
        "Good\u202eevil",
        "\u200b",
        "QuietHeron",
    ]
    for number, name in enumerate(names):
        user = User.objects.create(email=f"m{number}@example.org", password="!")
        MemberProfile.objects.create(
            user=user,
            display_name=name,
            public_id=f"id{number}",
            created_at=now + timezone.timedelta(seconds=number),
            updated_at=now,
        )

    apps = migrate(latest())
    MemberProfile = apps.get_model("members", "MemberProfile")
    stored = list(
        MemberProfile.objects.order_by("created_at").values_list(
            "display_name", "name_skeleton", "name_skeleton_folded"
        )
    )
    assert [name for name, *_ in stored] == [
        "BraveWillow1",
        "BraveWillow1 2",
        "BraveWillow1 3",
        "Goodevil",
        "Member",
        "QuietHeron",
    ]
    assert stored[0][1:] == ("BraveWillowl", "bravewillowl")
    assert len({row[1] for row in stored}) == len({row[2] for row in stored}) == len(names)

    # Backwards clears the skeletons (the names stay as they are now); forwards fills them again.
    apps = migrate(BEFORE_SKELETONS)
    assert apps.get_model("members", "MemberProfile").objects.count() == len(names)
    apps = migrate(latest())
    again = apps.get_model("members", "MemberProfile").objects.order_by("created_at")
    assert list(again.values_list("display_name", "name_skeleton", "name_skeleton_folded")) == (
        stored
    )


BEFORE_CONSENT_LINK = ("members", "0007_profile_name_skeletons_unique")


@pytest.fixture
def before_consent_link():
    apps = migrate(BEFORE_CONSENT_LINK)
    yield apps
    migrate(latest())


def test_each_condition_row_is_linked_to_its_consent_and_one_without_consent_goes(
    before_consent_link,
):
    apps = before_consent_link
    User = apps.get_model("members", "User")
    Condition = apps.get_model("conditions", "Condition")
    MemberCondition = apps.get_model("members", "MemberCondition")
    HealthDataConsent = apps.get_model("members", "HealthDataConsent")
    now = timezone.now()
    consented, unconsented, withdrawn = (
        User.objects.create(email=f"{name}@example.org", password="!")
        for name in ("consented", "unconsented", "withdrawn")
    )
    conditions = [
        Condition.objects.create(name=f"Condition {n}", slug=f"condition-{n}", summary="")
        for n in range(2)
    ]
    for user, condition in [(consented, conditions[0]), (consented, conditions[1])]:
        MemberCondition.objects.create(
            user=user, condition=condition, created_at=now, updated_at=now
        )
        HealthDataConsent.objects.create(
            user=user, condition=condition, notice_version="2026-11-01", given_at=now
        )
    # Stored without consent (as the demo loader did), and a consent left without its row.
    MemberCondition.objects.create(
        user=unconsented, condition=conditions[0], created_at=now, updated_at=now
    )
    HealthDataConsent.objects.create(
        user=withdrawn, condition=conditions[0], notice_version="2026-11-01", given_at=now
    )

    apps = migrate(latest())
    MemberCondition = apps.get_model("members", "MemberCondition")
    HealthDataConsent = apps.get_model("members", "HealthDataConsent")
    rows = MemberCondition.objects.order_by("condition__slug")
    assert [(row.user.email, row.consent.condition_id) for row in rows] == [
        ("consented@example.org", conditions[0].pk),
        ("consented@example.org", conditions[1].pk),
    ]
    assert all(row.consent.user_id == row.user_id for row in rows)
    assert set(HealthDataConsent.objects.values_list("purpose", flat=True)) == {"member_condition"}
    assert HealthDataConsent.objects.count() == 2

    # Going back: the old rules deleted a consent on withdrawal, so withdrawn records go.
    HealthDataConsent.objects.filter(pk=rows[1].consent_id).update(withdrawn_at=timezone.now())
    MemberCondition.objects.filter(pk=rows[1].pk).delete()
    apps = migrate(BEFORE_CONSENT_LINK)
    assert apps.get_model("members", "HealthDataConsent").objects.count() == 1
    assert apps.get_model("members", "MemberCondition").objects.count() == 1
