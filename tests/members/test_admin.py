import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from diseasemaps.core.services import Role
from diseasemaps.experiences.models import Experience
from diseasemaps.experiences.services import toggle_helpful
from diseasemaps.members import services
from diseasemaps.members.models import HealthDataConsent, MemberCondition, User
from diseasemaps.members.services import add_condition
from tests.factories import (
    ConditionFactory,
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    StaffFactory,
    published_question,
)
from tests.members import images

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


# --- Deleting accounts: the same erasure as "Delete my account" --------------------------------


def _member_with_avatar_posts_and_a_reaction():
    member = MemberFactory()
    services.set_avatar(
        profile=member.member_profile,
        upload=SimpleUploadedFile("me.png", images.png(), content_type="image/png"),
    )
    question = published_question()
    MemberConditionFactory(user=member, condition=question.condition)
    post = ExperienceFactory(question=question, author=member)
    other_post = ExperienceFactory(question=question)
    toggle_helpful(experience=other_post, user=member)
    files = [member.member_profile.avatar.name, member.member_profile.avatar_small.name]
    assert all(default_storage.exists(name) for name in files)
    return member, files, post, other_post


def test_the_admin_delete_page_says_what_erasure_does_and_asks_about_the_posts(
    superuser_client,
):
    member = MemberFactory()
    response = superuser_client.get(reverse("admin:members_user_delete", args=[member.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "exactly as the member’s own “Delete my account” does" in html
    assert 'name="keep_posts" value="" id="keep-posts-no" checked' in html
    assert 'name="keep_posts" value="keep"' in html


def test_deleting_an_account_in_the_admin_erases_it_and_its_files(
    superuser_client, django_capture_on_commit_callbacks
):
    member, files, post, other_post = _member_with_avatar_posts_and_a_reaction()
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse("admin:members_user_delete", args=[member.pk]),
            {"post": "yes", "keep_posts": "keep"},
        )
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    post.refresh_from_db()
    assert post.author is None
    assert post.former_author_key is not None
    other_post.refresh_from_db()
    assert other_post.helpful_count == 0
    assert not LogEntry.objects.filter(object_repr__icontains=member.email).exists()
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=str(member.pk)).exists()


def test_deleting_an_account_in_the_admin_deletes_the_posts_unless_asked_to_keep_them(
    superuser_client, django_capture_on_commit_callbacks
):
    member, files, post, other_post = _member_with_avatar_posts_and_a_reaction()
    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(
            reverse("admin:members_user_delete", args=[member.pk]), {"post": "yes"}
        )
    assert not Experience.objects.filter(pk=post.pk).exists()
    assert not any(default_storage.exists(name) for name in files)


def test_delete_selected_in_the_admin_erases_every_account_and_their_files(
    superuser_client, django_capture_on_commit_callbacks
):
    first, first_files, _, other_post = _member_with_avatar_posts_and_a_reaction()
    second, second_files, second_post, _ = _member_with_avatar_posts_and_a_reaction()
    toggle_helpful(experience=other_post, user=second)
    staying = MemberFactory()
    changelist = reverse("admin:members_user_changelist")
    selected = {"action": "delete_selected", "_selected_action": [first.pk, second.pk]}

    confirmation = superuser_client.post(changelist, selected).content.decode()
    assert "exactly as the member’s own “Delete my account” does" in confirmation
    assert 'name="keep_posts" value="keep"' in confirmation
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            changelist, {**selected, "post": "yes", "keep_posts": "keep"}
        )

    assert response.status_code == 302
    assert set(User.objects.filter(pk__in=[first.pk, second.pk, staying.pk])) == {staying}
    assert not any(default_storage.exists(name) for name in first_files + second_files)
    other_post.refresh_from_db()
    assert other_post.helpful_count == 0
    second_post.refresh_from_db()
    assert second_post.author is None
    assert Experience.objects.filter(former_author_key__isnull=False).count() == 2
    assert not LogEntry.objects.filter(object_repr__icontains=first.email).exists()


def test_an_administrator_cannot_delete_their_own_account_in_the_admin(staff_client_for):
    admin_user = StaffFactory(is_superuser=True)
    client = staff_client_for(admin_user)
    url = reverse("admin:members_user_delete", args=[admin_user.pk])
    assert "your own account (another administrator closes it)" in client.get(url).content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:members_user_changelist"),
        {"action": "delete_selected", "_selected_action": [admin_user.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_an_administrator_closes_a_staff_account_through_the_same_erasure(
    superuser_client, django_capture_on_commit_callbacks
):
    moderator = StaffFactory(roles=[Role.MODERATOR])
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse("admin:members_user_delete", args=[moderator.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not User.objects.filter(pk=moderator.pk).exists()


def test_staff_who_may_not_delete_accounts_cannot_erase_one(staff_client):
    member = MemberFactory()
    response = staff_client.post(
        reverse("admin:members_user_delete", args=[member.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=member.pk).exists()


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
