"""
Sign-ups racing for lookalike pseudonyms: threads with their own database connections, released
together at a barrier. Exactly one wins; every other one gets the form's message, never an
IntegrityError (a server error).
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from diseasemaps.members import services
from diseasemaps.members.models import NAME_TAKEN, MemberProfile
from tests.factories import UserFactory

# PostgreSQL only: SQLite lets one writer at a time hold the whole database, so the sign-ups
# cannot overlap there (the interleaving itself is tested on both, in test_services.py).
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

# Each pair of these clashes (their case-folded skeletons are all "bravewillowl").
LOOKALIKES = [
    "BraveWillow1",
    "bravewillow1",
    "BRAVEWILLOW1",
    "ＢｒａｖｅＷｉｌｌｏｗ1",
    "Br\u0430veWillow1",
    "BraveWi11ow1",
]


def test_of_sign_ups_racing_for_lookalike_names_one_wins_and_the_others_are_told():
    users = [UserFactory() for _ in LOOKALIKES]
    barrier = threading.Barrier(len(users))
    outcomes: dict[int, object] = {}

    def sign_up(user, name):
        try:
            barrier.wait(timeout=30)
            services.create_profile(user=user, display_name=name)
            outcomes[user.pk] = "created"
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            outcomes[user.pk] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sign_up, args=(user, name))
        for user, name in zip(users, LOOKALIKES, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert list(outcomes.values()).count("created") == 1
    refused = [outcome for outcome in outcomes.values() if outcome != "created"]
    assert all(isinstance(outcome, ValidationError) for outcome in refused), refused
    assert all(outcome.message_dict == {"display_name": [NAME_TAKEN]} for outcome in refused)
    assert MemberProfile.objects.count() == 1
