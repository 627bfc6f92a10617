import pytest
from django.urls import reverse

from diseasemaps.members.models import HealthDataConsent, MemberCondition
from diseasemaps.members.services import add_condition
from tests.factories import ConditionFactory, MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(staff_client_for):
    return staff_client_for(StaffFactory(is_superuser=True))


def test_the_admin_cannot_add_or_change_a_members_conditions(superuser_client):
    row = MemberCondition.objects.create(user=MemberFactory(), condition=ConditionFactory())
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
    assert not HealthDataConsent.objects.exists()


def test_no_staff_role_can_open_members_health_data(staff_client):
    response = staff_client.get(reverse("admin:members_membercondition_changelist"))
    assert response.status_code == 403
