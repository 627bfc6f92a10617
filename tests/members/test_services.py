import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, models, transaction
from django.test import Client
from django.utils import timezone

from diseasemaps.experiences.models import Experience
from diseasemaps.members import registry, services
from diseasemaps.members.models import (
    NAME_TAKEN,
    HealthDataConsent,
    MemberCondition,
    MemberProfile,
)
from tests.conftest import totp_authenticator
from tests.factories import (
    ConditionFactory,
    ExperienceFactory,
    HealthDataConsentFactory,
    MemberConditionFactory,
    MemberFactory,
    MemberProfileFactory,
    StaffFactory,
    UserFactory,
)
from tests.members import images

pytestmark = pytest.mark.django_db


def add(user, condition, **overrides):
    fields = {
        "relationship": MemberCondition.Relationship.LIVING_WITH,
        "diagnosed_in": 2019,
        "visibility": MemberCondition.Visibility.ONLY_ME,
        "is_counted": False,
        "consent": True,
    }
    return services.add_condition(user=user, condition=condition, **(fields | overrides))


# --- Profile -------------------------------------------------------------------------------


def test_create_profile_refuses_a_name_another_member_uses_in_any_case():
    MemberFactory(profile__display_name="QuietHeron")
    with pytest.raises(ValidationError):
        services.create_profile(user=UserFactory(), display_name="quietheron")


@pytest.mark.parametrize(
    "lookalike",
    ["ＢｒａｖｅＷｉｌｌｏｗ1", "Br\u0430veWillow1", "bravewillow1", "BraveWilIow1"],
)
def test_create_profile_refuses_a_lookalike_of_another_members_name(lookalike):
    MemberFactory(profile__display_name="BraveWillow1")
    with pytest.raises(ValidationError) as refused:
        services.create_profile(user=UserFactory(), display_name=lookalike)
    assert refused.value.message_dict == {"display_name": [NAME_TAKEN]}
    assert MemberProfile.objects.count() == 1


@pytest.mark.parametrize("name", ["Brave\u200bWillow1", "Good\u202eevil"])
def test_create_profile_refuses_invisible_and_direction_changing_characters(name):
    with pytest.raises(ValidationError) as refused:
        services.create_profile(user=UserFactory(), display_name=name)
    assert "invisible or changes the direction" in refused.value.message_dict["display_name"][0]
    assert not MemberProfile.objects.exists()


def test_create_profile_stores_the_normalised_name_and_its_skeletons():
    profile = services.create_profile(user=UserFactory(), display_name=" ＨｏｐｅｆｕｌＬａｒｋ ")
    profile.refresh_from_db()
    assert profile.display_name == "HopefulLark"
    assert (profile.name_skeleton, profile.name_skeleton_folded) == ("HopefulLark", "hopefullark")


def test_a_member_may_change_the_case_of_their_own_name_but_not_take_anothers(member):
    MemberFactory(profile__display_name="QuietHeron")
    profile = member.member_profile
    services.update_profile(
        profile=profile, display_name="brave willow", bio="", is_bio_public=False
    )
    services.update_profile(
        profile=profile, display_name="Brave Willow", bio="", is_bio_public=False
    )
    with pytest.raises(ValidationError):
        services.update_profile(
            profile=profile, display_name="Quiet\u0397eron", bio="Kept?", is_bio_public=True
        )
    # The instance the page shows again is the profile as saved, not the refused change.
    assert (profile.display_name, profile.bio) == ("Brave Willow", "")
    profile.refresh_from_db()
    assert profile.display_name == "Brave Willow"
    assert profile.name_skeleton_folded == "brave willow"


def test_the_database_refuses_a_second_profile_with_the_same_skeleton():
    MemberFactory(profile__display_name="BraveWillow1")
    for lookalike in ["bravewillow1", "BraveWilIow1"]:
        profile = MemberProfile(user=UserFactory())
        profile.set_display_name(lookalike)
        with pytest.raises(IntegrityError), transaction.atomic():
            profile.save()
    assert MemberProfile.objects.count() == 1


def test_the_database_refuses_a_profile_saved_without_its_skeletons():
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberProfile.objects.create(user=UserFactory(), display_name="NoSkeleton")


def test_a_sign_up_that_loses_a_race_for_a_name_gets_a_validation_error(monkeypatch):
    """
    The rival's profile appears between this sign-up's check and its insert, as when two
    sign-ups run at once: the check passed, the database refuses the insert, and the service
    says so as it says any taken name (the threaded version is in test_concurrency.py).
    """
    rival, loser = UserFactory(), UserFactory()
    checked = services.display_name_taken
    answers = []

    def check_then_lose_the_race(display_name, *, exclude=None):
        answers.append(checked(display_name, exclude=exclude))
        if not MemberProfile.objects.filter(user=rival).exists():
            MemberProfileFactory(user=rival, display_name="BraveWillow1")
        return answers[-1]

    monkeypatch.setattr(services, "display_name_taken", check_then_lose_the_race)
    with pytest.raises(ValidationError) as refused:
        services.create_profile(user=loser, display_name="bravewillow1")
    assert refused.value.message_dict == {"display_name": [NAME_TAKEN]}
    assert answers == [False, True]  # free when checked, taken once the insert failed
    assert not MemberProfile.objects.filter(user=loser).exists()


def test_every_profile_gets_a_distinct_random_public_id(member):
    other = MemberFactory()
    ids = {member.member_profile.public_id, other.member_profile.public_id}
    assert len(ids) == 2
    assert not any(public_id.isdigit() for public_id in ids)
    assert member.member_profile.get_absolute_url() == (
        f"/members/{member.member_profile.public_id}/"
    )


def test_update_profile_saves_the_bio_and_its_visibility(member):
    profile = services.update_profile(
        profile=member.member_profile, display_name=" NewName ", bio="Hi", is_bio_public=True
    )
    profile.refresh_from_db()
    assert (profile.display_name, profile.bio, profile.is_bio_public) == ("NewName", "Hi", True)


# --- Conditions ----------------------------------------------------------------------------


def test_adding_a_condition_records_consent_with_the_notice_version_and_date(member, settings):
    condition = ConditionFactory()
    row = add(member, condition)
    consent = HealthDataConsent.objects.get(user=member, condition=condition)
    assert consent.notice_version == settings.DISEASEMAPS_PRIVACY_NOTICE_VERSION
    assert consent.given_at is not None
    assert row.visibility == MemberCondition.Visibility.ONLY_ME
    # What it was for, and that the row rests on it.
    assert consent.purpose == HealthDataConsent.Purpose.MEMBER_CONDITION
    assert consent.withdrawn_at is None
    assert row.consent == consent


@pytest.mark.parametrize("consent", [False, None, "on", "0", 1])
def test_only_consent_true_counts_as_consent(member, consent):
    with pytest.raises(ValidationError) as refused:
        add(member, ConditionFactory(), consent=consent)
    assert "consent" in refused.value.message_dict
    assert not MemberCondition.objects.exists()
    assert not HealthDataConsent.objects.exists()


def test_the_database_refuses_a_condition_row_without_its_consent(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberCondition.objects.create(user=member, condition=ConditionFactory())
    assert not MemberCondition.objects.exists()


def _delete_consent_behind_the_orms_back(consent_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM members_healthdataconsent WHERE id = %s", [consent_id])
    connection.check_constraints(table_names=["members_membercondition"])


def test_a_consent_cannot_be_deleted_while_its_condition_row_rests_on_it(member):
    row = add(member, ConditionFactory())
    with pytest.raises(models.RestrictedError), transaction.atomic():
        row.consent.delete()
    # Nor in SQL: the foreign key is the database's.
    with pytest.raises(IntegrityError), transaction.atomic():
        _delete_consent_behind_the_orms_back(row.consent_id)
    assert MemberCondition.objects.filter(pk=row.pk, consent__isnull=False).exists()


def test_the_database_holds_one_consent_in_force_per_member_condition_and_purpose(member):
    consent = add(member, ConditionFactory()).consent
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthDataConsentFactory(user=member, condition=consent.condition)
    HealthDataConsent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())
    HealthDataConsentFactory(user=member, condition=consent.condition)  # a new one, once withdrawn


def test_the_database_refuses_a_withdrawal_before_the_consent(member):
    consent = HealthDataConsentFactory(user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthDataConsent.objects.filter(pk=consent.pk).update(
            withdrawn_at=consent.given_at - datetime.timedelta(seconds=1)
        )


def test_adding_a_condition_again_after_withdrawing_it_records_a_new_consent(member):
    condition = ConditionFactory()
    services.withdraw_condition(member_condition=add(member, condition))
    row = add(member, condition)
    history = HealthDataConsent.objects.filter(user=member, condition=condition)
    assert history.count() == 2
    assert list(history.in_force()) == [row.consent]


def test_two_clicks_of_add_at_once_store_one_row_and_tell_the_second(member, monkeypatch):
    condition = ConditionFactory()
    checked = services.condition_on_list
    answers = []

    def first_click_lands_meanwhile(*, user, condition):
        answers.append(checked(user=user, condition=condition))
        if len(answers) == 1:
            MemberConditionFactory(user=user, condition=condition)
        return answers[-1]

    monkeypatch.setattr(services, "condition_on_list", first_click_lands_meanwhile)
    with pytest.raises(ValidationError) as refused:
        add(member, condition)
    assert refused.value.message_dict == {"condition": ["This condition is already on your list."]}
    assert answers == [False, True]


def test_deleting_a_user_deletes_their_conditions_and_consents_with_them(member):
    add(member, ConditionFactory())
    services.withdraw_condition(member_condition=add(member, ConditionFactory()))
    member.delete()
    assert not MemberCondition.objects.exists()
    assert not HealthDataConsent.objects.exists()


def test_adding_a_condition_without_consent_stores_nothing(member):
    with pytest.raises(ValidationError):
        add(member, ConditionFactory(), consent=False)
    assert not MemberCondition.objects.exists()
    assert not HealthDataConsent.objects.exists()


def test_adding_the_same_condition_twice_is_refused(member):
    condition = ConditionFactory()
    add(member, condition)
    with pytest.raises(ValidationError):
        add(member, condition)
    assert MemberCondition.objects.count() == 1


def test_an_implausible_year_of_diagnosis_is_refused_and_nothing_is_written(member):
    with pytest.raises(ValidationError):
        add(member, ConditionFactory(), diagnosed_in=1800)
    assert not MemberCondition.objects.exists()
    assert not HealthDataConsent.objects.exists()


def test_withdrawing_removes_the_condition_and_keeps_a_record_of_the_withdrawn_consent(member):
    row = add(member, ConditionFactory())
    given = HealthDataConsent.objects.get()
    consent = services.withdraw_condition(member_condition=row)
    assert not MemberCondition.objects.exists()
    assert consent == HealthDataConsent.objects.get()
    assert consent.given_at == given.given_at
    assert consent.withdrawn_at >= consent.given_at
    assert not HealthDataConsent.objects.in_force().exists()


def test_counting_oneself_in_makes_the_community_figure_grow(member):
    condition = ConditionFactory()
    add(member, condition, is_counted=False)
    assert MemberCondition.objects.community_size(condition) == 0
    row = MemberCondition.objects.get(user=member)
    services.update_condition(
        member_condition=row,
        relationship=row.relationship,
        diagnosed_in=None,
        visibility=row.visibility,
        is_counted=True,
    )
    assert MemberCondition.objects.community_size(condition) == 1


@pytest.mark.parametrize(
    ("visibility", "visitor", "member", "owner"),
    [
        ("only_me", False, False, False),
        ("members", False, True, True),
        ("everyone", True, True, True),
    ],
)
def test_each_visibility_level_shows_on_the_public_page_to_the_right_viewers(
    visibility, visitor, member, owner
):
    from django.contrib.auth.models import AnonymousUser

    row = MemberConditionFactory(visibility=visibility)
    viewers = {"visitor": AnonymousUser(), "member": MemberFactory(), "owner": row.user}
    seen = {
        name: MemberCondition.objects.visible_to(viewer).filter(pk=row.pk).exists()
        for name, viewer in viewers.items()
    }
    assert seen == {"visitor": visitor, "member": member, "owner": owner}


# --- The registry --------------------------------------------------------------------------


def test_every_model_with_a_foreign_key_to_the_user_is_registered_or_deliberately_kept():
    user_model = get_user_model()
    registered = {(entry.model, entry.user_field) for entry in registry.registered()}
    missing = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.related_model is user_model
                and field.concrete
                and (model, field.name) not in registered
            ):
                missing.append(f"{model._meta.label}.{field.name}")
    assert missing == [], "Register these in members/registry.py (see its docstring)"


def test_keeping_a_departed_members_rows_needs_a_reason():
    with pytest.raises(ValueError, match="Say why"):
        registry.register(
            MemberProfile, user_field="user", on_erase=registry.OnErase.KEEP, reason=""
        )


# --- Export --------------------------------------------------------------------------------


def test_the_export_holds_everything_about_the_member_and_nothing_about_others(member):
    condition = ConditionFactory(name="Rare Thing")
    add(member, condition, visibility=MemberCondition.Visibility.MEMBERS)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    totp_authenticator(member)
    ExperienceFactory(author=member, body="What I lived through.")
    other = MemberFactory()
    add(other, condition)
    ExperienceFactory(author=other, body="Someone else's story.")

    data = json.loads(services.export_json(user=member))

    assert data["account"]["email"] == member.email
    assert data["members.MemberProfile"][0]["display_name"] == member.member_profile.display_name
    assert data["members.MemberCondition"] == [
        data["members.MemberCondition"][0] | {"condition": "Rare Thing", "visibility": "members"}
    ]
    [consent] = data["members.HealthDataConsent"]
    assert consent["notice_version"]
    assert consent["purpose"] == "member_condition"
    assert consent["withdrawn_at"] is None
    assert data["members.MemberCondition"][0]["consent_id"] == consent["id"]
    assert data["account.EmailAddress"][0]["email"] == member.email
    assert data["mfa.Authenticator"][0]["type"] == "totp"
    assert [row["body"] for row in data["experiences.Experience"]] == ["What I lived through."]
    text = json.dumps(data)
    assert other.email not in text
    assert "Someone else" not in text
    assert "secret" not in text


# --- Erasure -------------------------------------------------------------------------------


def _rows_pointing_at(user_pk: int) -> dict[str, int]:
    """Every row in every table with a foreign key to the user that points at `user_pk`."""
    user_model = get_user_model()
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                count = model._default_manager.filter(**{field.attname: user_pk}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}"] = count
    return found


def _member_with_everything(client_factory=None):
    member = MemberFactory()
    condition = ConditionFactory()
    add(member, condition, is_counted=True)
    services.withdraw_condition(member_condition=add(member, ConditionFactory()))
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    totp_authenticator(member)
    services.set_avatar(
        profile=member.member_profile,
        upload=SimpleUploadedFile("me.png", images.png(), content_type="image/png"),
    )
    ExperienceFactory(author=member)
    return member


def test_erasure_leaves_no_row_and_no_file(django_capture_on_commit_callbacks):
    member = _member_with_everything()
    client = Client()
    client.force_login(member)
    UserSession.objects.create(
        user=member, session_key=client.session.session_key, ip="127.0.0.1", user_agent="test"
    )
    assert UserSession.objects.filter(user=member).exists()
    session_key = UserSession.objects.get(user=member).session_key
    files = [member.member_profile.avatar.name, member.member_profile.avatar_small.name]
    assert all(default_storage.exists(name) for name in files)
    other = _member_with_everything()

    with django_capture_on_commit_callbacks(execute=True):
        report = services.erase_account(user=member, keep_posts=False)

    assert _rows_pointing_at(member.pk) == {}
    assert not get_user_model().objects.filter(pk=member.pk).exists()
    assert not Experience.objects.filter(author__isnull=True).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert set(report.deleted_files) == set(files)
    assert not Session.objects.filter(session_key=session_key).exists()
    # Nobody else lost anything.
    assert default_storage.exists(other.member_profile.avatar.name)
    assert MemberCondition.objects.filter(user=other).count() == 1
    assert Authenticator.objects.filter(user=other).count() == 1


def test_erasure_keeps_the_posts_as_a_former_member_when_chosen(
    django_capture_on_commit_callbacks,
):
    member = _member_with_everything()
    experience = Experience.objects.get(author=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.erase_account(user=member, keep_posts=True)
    experience.refresh_from_db()
    assert experience.author_id is None
    assert _rows_pointing_at(member.pk) == {}
    assert (
        not HealthDataConsent.objects.exists()
        or not HealthDataConsent.objects.filter(user_id=member.pk).exists()
    )


def test_files_are_not_deleted_when_the_erasure_rolls_back(monkeypatch):
    member = _member_with_everything()
    files = [member.member_profile.avatar.name]

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(get_user_model(), "delete", fail)
    with pytest.raises(RuntimeError):
        services.erase_account(user=member, keep_posts=False)
    assert default_storage.exists(files[0])
    assert MemberCondition.objects.filter(user=member).exists()


def test_a_staff_account_cannot_be_erased_by_its_owner():
    staff = StaffFactory()
    with pytest.raises(services.CannotErase):
        services.erase_account(user=staff, keep_posts=False)
    assert get_user_model().objects.filter(pk=staff.pk).exists()


def test_only_an_administrator_closes_an_account_and_never_their_own():
    member, staff = MemberFactory(), StaffFactory()
    administrator = StaffFactory(is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.erase_account(user=member, keep_posts=False, closed_by=staff)
    with pytest.raises(services.CannotErase, match="Another administrator"):
        services.erase_account(user=administrator, keep_posts=False, closed_by=administrator)
    assert get_user_model().objects.filter(pk__in=[member.pk, administrator.pk]).count() == 2
    services.erase_account(user=staff, keep_posts=False, closed_by=administrator)
    assert not get_user_model().objects.filter(pk=staff.pk).exists()


def test_an_erasure_hook_must_match_what_happens_to_the_rows():
    with pytest.raises(ValueError, match="never runs"):
        registry.register(
            MemberProfile, user_field="user", on_erase=registry.OnErase.DELETE, anonymise=len
        )
    with pytest.raises(ValueError, match="never runs"):
        registry.register(
            MemberProfile, user_field="user", on_erase=registry.OnErase.ANONYMISE, delete=len
        )


def test_export_fields_may_follow_relations_or_name_an_id(member):
    from diseasemaps.members.services import _row

    row = MemberConditionFactory(user=member, condition=ConditionFactory(name="Rare Thing"))
    assert _row(row, ("condition__name", "condition_id", "condition"), "user") == {
        "condition__name": "Rare Thing",
        "condition_id": row.condition_id,
        "condition": "Rare Thing",
    }
