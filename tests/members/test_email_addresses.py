"""
E-mail addresses are stored in lower case on every path that stores one, so that an account
made outside the sign-up form logs in however its address is typed.
"""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, MemberFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
TYPED = "Capitals@Example.org"
STORED = "capitals@example.org"
WAYS_OF_TYPING = [TYPED, STORED, "CAPITALS@EXAMPLE.ORG", "  Capitals@Example.org "]


def logs_in(email_typed: str) -> bool:
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": email_typed, "password": TEST_PASSWORD}
    )
    return response.status_code == 302 and "_auth_user_id" in client.session


def _by_create_user():
    return User.objects.create_user(TYPED, TEST_PASSWORD)


def _by_create_superuser():
    return User.objects.create_superuser(TYPED, TEST_PASSWORD)


def _by_factory():
    return UserFactory(email=TYPED)


def _by_createsuperuser_command(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", TEST_PASSWORD)
    call_command("createsuperuser", email=TYPED, interactive=False, verbosity=0)
    return User.objects.get()


def _by_saving_a_changed_address():
    user = UserFactory()
    user.email = TYPED
    user.save()
    return user


CREATED = {
    "create_user": _by_create_user,
    "create_superuser": _by_create_superuser,
    "factory": _by_factory,
    "saving a changed address": _by_saving_a_changed_address,
}


@pytest.mark.parametrize("typed", WAYS_OF_TYPING)
@pytest.mark.parametrize("way", CREATED)
def test_an_account_made_with_capitals_logs_in_with_the_address_typed_either_way(way, typed):
    user = CREATED[way]()
    EmailAddress.objects.create(user=user, email=TYPED, verified=True, primary=True)
    assert User.objects.get(pk=user.pk).email == STORED
    assert EmailAddress.objects.get(user=user).email == STORED
    assert logs_in(typed)


@pytest.mark.parametrize("typed", [TYPED, STORED])
def test_a_superuser_made_by_the_createsuperuser_command_logs_in(monkeypatch, typed):
    user = _by_createsuperuser_command(monkeypatch)
    assert user.email == STORED
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    assert logs_in(typed)


def test_an_account_added_in_the_admin_is_stored_in_lower_case_and_logs_in(staff_client_for):
    admin = staff_client_for(StaffFactory(is_superuser=True))
    response = admin.post(
        reverse("admin:members_user_add"),
        {
            "email": TYPED,
            "usable_password": "true",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email=STORED)
    EmailAddress.objects.create(user=user, email=TYPED, verified=True, primary=True)
    assert logs_in(TYPED)


def test_the_admin_refuses_an_address_that_differs_only_by_case_with_a_message(staff_client_for):
    MemberFactory(email=STORED)
    admin = staff_client_for(StaffFactory(is_superuser=True))
    response = admin.post(
        reverse("admin:members_user_add"),
        {
            "email": TYPED,
            "usable_password": "true",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact=STORED).count() == 1


def test_changing_an_address_in_the_admin_stores_it_in_lower_case(staff_client_for):
    member = MemberFactory()
    admin = staff_client_for(StaffFactory(is_superuser=True))
    url = reverse("admin:members_user_change", args=[member.pk])
    form = admin.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        email=TYPED,
        date_joined_0=member.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=member.date_joined.strftime("%H:%M:%S"),
        is_active="on",
    )
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("is_staff", None)
    data.pop("is_superuser", None)
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    member.refresh_from_db()
    assert member.email == STORED


def test_the_natural_key_finds_the_account_however_the_address_is_typed():
    user = UserFactory(email=TYPED)
    assert User.objects.get_by_natural_key("CAPITALS@example.ORG") == user


# --- The data migration ----------------------------------------------------------------------

migration = importlib.import_module("diseasemaps.members.migrations.0011_lowercase_email_addresses")


def _store_as_typed(model, pk, email):
    """Put an address with capitals in the database, as rows from before this change were."""
    model.objects.filter(pk=pk).update(email=email)


def test_the_migration_lower_cases_accounts_and_their_email_address_rows():
    user = UserFactory()
    row = EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    _store_as_typed(User, user.pk, TYPED)
    _store_as_typed(EmailAddress, row.pk, TYPED)
    assert not logs_in(TYPED)  # the finding: such an account could not log in

    migration.lowercase_user_emails(User)
    migration.lowercase_email_address_rows(EmailAddress)
    assert User.objects.get(pk=user.pk).email == STORED
    assert EmailAddress.objects.get(pk=row.pk).email == STORED
    assert logs_in(TYPED)


def test_the_migration_merges_one_accounts_rows_that_differ_only_by_case():
    user = UserFactory(email=STORED)
    primary = EmailAddress.objects.create(user=user, email=STORED, verified=False, primary=True)
    other = EmailAddress.objects.create(user=user, email="other@example.org", verified=True)
    _store_as_typed(EmailAddress, other.pk, TYPED)  # "Capitals@…", verified, not primary
    migration.lowercase_email_address_rows(EmailAddress)
    rows = list(EmailAddress.objects.filter(user=user).values_list("pk", "email", "verified"))
    assert rows == [(primary.pk, STORED, True)]


def test_the_migration_stops_on_verified_addresses_of_two_accounts_that_differ_by_case():
    first, second = UserFactory(), UserFactory()
    a = EmailAddress.objects.create(user=first, email=STORED, verified=True, primary=True)
    b = EmailAddress.objects.create(user=second, email="b@example.org", verified=True)
    _store_as_typed(EmailAddress, b.pk, TYPED)
    with pytest.raises(migration.EmailCaseConflict, match=rf"ids {a.pk}, {b.pk}"):
        migration.lowercase_email_address_rows(EmailAddress)
    assert EmailAddress.objects.get(pk=b.pk).email == TYPED  # nothing was changed


def test_the_migration_leaves_unverified_duplicates_of_two_accounts_lower_cased():
    first, second = UserFactory(), UserFactory()
    EmailAddress.objects.create(user=first, email=STORED, verified=True, primary=True)
    b = EmailAddress.objects.create(user=second, email="b@example.org", verified=False)
    _store_as_typed(EmailAddress, b.pk, TYPED)
    migration.lowercase_email_address_rows(EmailAddress)
    assert EmailAddress.objects.get(pk=b.pk).email == STORED
