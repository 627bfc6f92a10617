import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from diseasemaps.members import avatars, services
from diseasemaps.members.models import MemberProfile
from tests.members import images


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_photo_is_reencoded_in_two_square_sizes():
    large, small = avatars.process(upload("me.png", images.png(640, 480)))
    assert Image.open(io.BytesIO(large)).size == (avatars.LARGE, avatars.LARGE)
    assert Image.open(io.BytesIO(small)).size == (avatars.SMALL, avatars.SMALL)
    assert Image.open(io.BytesIO(large)).format == "WEBP"


def test_no_exif_gps_or_comment_survives_and_the_orientation_is_applied():
    original = images.jpeg_with_gps(width=120, height=80)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the GPS is there
    large, small = avatars.process(upload("photo.jpg", original))
    for data in (large, small):
        stored = Image.open(io.BytesIO(data))
        assert not stored.getexif()
        assert "exif" not in stored.info
        assert "icc_profile" not in stored.info
        assert b"Secret Camera" not in data
        assert b"taken at home" not in data
        assert b"GPS" not in data


def test_orientation_is_applied_before_cropping():
    # Left half red, right half blue, stored sideways with "rotate 90° clockwise" (6): once
    # rotated, red is on top.
    image = Image.new("RGB", (200, 100), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    large, _ = avatars.process(upload("sideways.jpg", out.getvalue()))
    result = Image.open(io.BytesIO(large)).convert("RGB")
    top = result.getpixel((avatars.LARGE // 2, 5))
    bottom = result.getpixel((avatars.LARGE // 2, avatars.LARGE - 5))
    assert top[0] > 200 > top[2]
    assert bottom[2] > 200 > bottom[0]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("bomb.png", images.png_bomb(), "too_large"),
        ("big.png", images.png_over_limit(), "too_large"),
        ("page.jpg", images.HTML, "not_a_picture"),
        ("picture.png", images.bmp(), "not_a_picture"),
        ("broken.png", images.truncated_png(), "damaged"),
    ],
)
def test_a_bad_file_gets_a_clear_error(name, data, code):
    # How fast: scripts/bench_avatars.py (well under a second each on the CI machine).
    with pytest.raises(ValidationError) as error:
        avatars.process(upload(name, data))
    assert error.value.code == code


def test_the_pixel_limit_is_checked_before_decoding(monkeypatch):
    def refuse_to_decode(*args, **kwargs):
        raise AssertionError("decoded a picture over the limit")

    monkeypatch.setattr(Image.Image, "load", refuse_to_decode)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", refuse_to_decode)
    with pytest.raises(ValidationError) as error:
        avatars.process(upload("big.png", images.png_over_limit()))
    assert error.value.code == "too_large"
    assert "50 megapixels" in error.value.messages[0]


def test_set_avatar_stores_both_sizes_under_random_names_and_deletes_the_old_ones(member):
    profile = member.member_profile
    services.set_avatar(profile=profile, upload=upload("IMG_0001 Jane Doe.png", images.png()))
    first = (profile.avatar.name, profile.avatar_small.name)
    assert all(default_storage.exists(name) for name in first)
    assert "Jane" not in first[0]
    assert first[0] != first[1]


@pytest.mark.django_db
def test_the_old_avatar_files_go_only_after_the_commit(member, django_capture_on_commit_callbacks):
    profile = member.member_profile
    with django_capture_on_commit_callbacks(execute=True):
        services.set_avatar(profile=profile, upload=upload("one.png", images.png()))
    old = [profile.avatar.name, profile.avatar_small.name]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.set_avatar(profile=profile, upload=upload("two.png", images.png()))
    assert all(default_storage.exists(name) for name in old)
    for callback in callbacks:
        callback()
    assert not any(default_storage.exists(name) for name in old)
    assert default_storage.exists(profile.avatar.name)


def test_uploading_through_the_profile_page_saves_the_avatar(member_client, member):
    response = member_client.post(
        reverse("members:avatar"), {"avatar": upload("me.png", images.png(), "image/png")}
    )
    assert response.status_code == 302
    profile = MemberProfile.objects.get(user=member)
    assert profile.avatar.name.startswith("avatars/")
    assert profile.avatar.name.endswith(".webp")


def test_a_file_over_5_mb_is_cut_off_while_streaming_with_a_clear_error(member_client, member):
    fifty_mb = b"\xff\xd8\xff" + b"\x00" * (50 * 1024 * 1024)
    response = member_client.post(
        reverse("members:avatar"), {"avatar": upload("huge.jpg", fifty_mb)}
    )
    assert response.status_code == 400
    assert "over 5 MB" in response.content.decode()
    assert not MemberProfile.objects.get(user=member).avatar


def test_the_upload_handler_never_passes_more_than_the_limit_on(rf, settings):
    from django.core.files.uploadhandler import SkipFile

    from diseasemaps.members.uploads import SizeLimitUploadHandler, oversized_uploads

    request = rf.post("/")
    handler = SizeLimitUploadHandler(request)
    handler.new_file("avatar", "x.jpg", "image/jpeg", None)
    chunk = b"\x00" * (64 * 1024)
    passed = 0
    stopped = False
    while not stopped:
        try:
            passed += len(handler.receive_data_chunk(chunk, passed))
        except SkipFile:
            stopped = True
    assert passed <= settings.DISEASEMAPS_AVATAR_MAX_BYTES
    assert oversized_uploads(request) == {"avatar"}


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("page.jpg", images.HTML, "not a JPEG, PNG or WebP"),
        ("picture.png", images.bmp(), "not a JPEG, PNG or WebP"),
        ("bomb.png", images.png_bomb(), "This picture is too large"),
    ],
)
def test_the_profile_page_shows_the_error_for_a_bad_file(member_client, name, data, message):
    response = member_client.post(reverse("members:avatar"), {"avatar": upload(name, data)})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_fields_sent_after_an_oversized_file_are_kept(rf):
    from diseasemaps.members.uploads import oversized_uploads

    big = upload("huge.jpg", b"\x00" * (6 * 1024 * 1024))
    request = rf.post("/", {"avatar": big, "bio": "What I typed"})
    assert request.POST["bio"] == "What I typed"
    assert "avatar" not in request.FILES
    assert oversized_uploads(request) == {"avatar"}
