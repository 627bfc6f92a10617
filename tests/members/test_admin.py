import pytest
from django.urls import reverse

from diseasemaps.members.models import HealthDataConsent, MemberCondition
from diseasemaps.members.services import add_condition
from tests.factories import (
    ConditionFactory,
    MemberConditionFactory,
    MemberFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(staff_client_for):
    return staff_client_for(StaffFactory(is_superuser=True))


def test_the_admin_cannot_add_or_change_a_members_conditions(superuser_client):
    row = MemberConditionFactory()
    assert superuser_client.get(reverse("admin:members_membercondition_add")).status_code == 403
    response = superuser_client.post(
        reverse("admin:members_membercondition_change", args=[row.pk]),
        {"visibility": "everyone"},
    )
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.visibility == "only_me"


def test_deleting_in_the_admin_withdraws_the_condition_and_its_consent(superuser_client):
    member = MemberFactory()
    row = add_condition(
        user=member,
        condition=ConditionFactory(),
        relationship="living_with",
        diagnosed_in=None,
        visibility="only_me",
        is_counted=False,
        consent=True,
    )
    response = superuser_client.post(
        reverse("admin:members_membercondition_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not MemberCondition.objects.exists()
    # As when the member removes it: the consent is withdrawn, and its record stays.
    assert HealthDataConsent.objects.get(user=member).withdrawn_at is not None


def test_no_staff_role_can_open_members_health_data(staff_client):
    response = staff_client.get(reverse("admin:members_membercondition_changelist"))
    assert response.status_code == 403


@pytest.mark.parametrize("typed", ["bravewillow1", "Br\u0430veWillow1", "Brave\u200bWillow1"])
def test_the_admin_cannot_give_a_member_a_lookalike_or_invisible_name(superuser_client, typed):
    MemberFactory(profile__display_name="BraveWillow1")
    profile = MemberFactory(profile__display_name="QuietHeron").member_profile
    response = superuser_client.post(
        reverse("admin:members_memberprofile_change", args=[profile.pk]),
        {"display_name": typed, "bio": "", "is_bio_public": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "looks just like it" in page or "invisible or changes the direction" in page
    profile.refresh_from_db()
    assert profile.display_name == "QuietHeron"


def test_a_name_set_in_the_admin_is_normalised_with_its_skeletons(superuser_client):
    profile = MemberFactory(profile__display_name="QuietHeron").member_profile
    response = superuser_client.post(
        reverse("admin:members_memberprofile_change", args=[profile.pk]),
        {"display_name": "Ｃａｌｍ  Ｆｅｒｎ", "bio": "", "is_bio_public": ""},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    # The skeleton is a key, never shown: TR39 spells "m" as "rn", which looks the same.
    assert (profile.display_name, profile.name_skeleton_folded) == ("Calm Fern", "calrn fern")
