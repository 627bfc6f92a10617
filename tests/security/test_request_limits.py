"""
Oversized requests are refused with our 400 page before any view reads them, never with a 500:
a 3 MB form body, 2,000 fields, 101 files, and a post ten times the longest allowed.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from diseasemaps.experiences.models import BODY_MAX_LENGTH, Experience
from tests.security.world import MEMBER_A, VISITOR

pytestmark = pytest.mark.django_db

THREE_MB = 3 * 1024 * 1024


def forms(world) -> dict[str, tuple[str, str]]:
    """Name → (role, URL) of the forms visitors and members send."""
    q = world["question"]
    kwargs = {"condition_slug": q.condition.slug, "slug": q.slug}
    post = world["A public post"]
    other = world["B public post"]
    return {
        "log in": (VISITOR, reverse("account_login")),
        "sign up": (VISITOR, reverse("account_signup")),
        "password reset": (VISITOR, reverse("account_reset_password")),
        "answer helpful": (VISITOR, reverse("answers:feedback-helpful", kwargs=kwargs)),
        "report an error": (VISITOR, reverse("answers:feedback-error", kwargs=kwargs)),
        "share": (
            MEMBER_A,
            reverse("experiences:share", args=[q.condition.slug, q.slug]),
        ),
        "edit": (MEMBER_A, reverse("experiences:edit", args=[post.pk])),
        "report": (MEMBER_A, reverse("experiences:report", args=[other.pk])),
        "profile": (MEMBER_A, reverse("members:profile")),
        "avatar": (MEMBER_A, reverse("members:avatar")),
        "my conditions": (MEMBER_A, reverse("members:conditions")),
    }


def assert_our_400(response, what):
    assert response.status_code == 400, what
    assert "We couldn’t read that request" in response.content.decode(), what


def test_the_limits_are_set_explicitly(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1_000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 100


def test_a_3_mb_form_body_gets_our_400_page(world):
    for name, (role, url) in forms(world).items():
        response = world.client(role).post(url, {"body": "x" * THREE_MB})
        assert_our_400(response, name)


def test_2000_fields_get_our_400_page(world):
    fields = {f"field{n}": "x" for n in range(2_000)}
    for name, (role, url) in forms(world).items():
        assert_our_400(world.client(role).post(url, fields), name)


def test_101_files_get_our_400_page(world):
    files = {f"file{n}": SimpleUploadedFile(f"f{n}.txt", b"x") for n in range(101)}
    for name, (role, url) in forms(world).items():
        for upload in files.values():
            upload.seek(0)
        assert_our_400(world.client(role).post(url, files), name)


def test_a_post_ten_times_the_longest_allowed_is_a_400_and_saves_nothing(world):
    client = world.client(MEMBER_A)
    count = Experience.objects.count()
    _, share = forms(world)["share"]
    response = client.post(
        share, {"body": "x" * (10 * BODY_MAX_LENGTH), "audience": "everyone", "action": "submit"}
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    _, edit = forms(world)["edit"]
    response = client.post(
        edit, {"body": "y" * (10 * BODY_MAX_LENGTH), "audience": "everyone", "action": "submit"}
    )
    assert response.status_code == 400
    assert Experience.objects.count() == count
    assert not Experience.objects.filter(body__startswith="xxxx").exists()
    assert not Experience.objects.filter(pending_body__startswith="yyyy").exists()


def test_the_400_page_renders_without_a_request_or_the_database():
    from django.template.loader import render_to_string

    html = render_to_string("400.html")
    assert "We couldn’t read that request" in html
    assert "/static/css/site" in html
