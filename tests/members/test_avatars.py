import errno
import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
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


# --- Memory: the limits are worked out from the header, before decoding ------------------------


def refuse_to_decode(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("decoded a picture over the limit")

    monkeypatch.setattr(Image.Image, "load", refuse)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", refuse)


def test_a_colour_png_of_16_megapixels_is_accepted():
    # 4000 x 4000 x 4 bytes is exactly the 64 MB decoding budget.
    large, _ = avatars.process(upload("big.png", images.png(4000, 4000), "image/png"))
    assert Image.open(io.BytesIO(large)).size == (avatars.LARGE, avatars.LARGE)


def test_a_colour_png_one_row_over_16_megapixels_is_refused_before_decoding(monkeypatch):
    # The file: a tiny PNG announcing a picture that takes far more to decode.
    refuse_to_decode(monkeypatch)
    for width, height in [(4000, 4001), (6300, 6300)]:
        with pytest.raises(ValidationError) as error:
            avatars.process(upload("big.png", images.png_bomb(width, height, rgb=True)))
        assert error.value.code == "too_large"
    message = error.value.messages[0]
    assert "39.7 megapixels" in message
    assert "a PNG like this one can have at most 16" in message
    assert "save it as a JPEG" in message


def test_just_over_the_limit_never_reads_as_the_limit(monkeypatch):
    refuse_to_decode(monkeypatch)
    with pytest.raises(ValidationError) as error:
        avatars.process(upload("big.png", images.png_bomb(4000, 4001, rgb=True)))
    assert "it has 16.1 megapixels" in error.value.messages[0]
    assert "at most 16." in error.value.messages[0]


def test_the_decoding_cost_follows_how_pillow_stores_each_kind_of_png():
    for mode, per_pixel in [("L", 1), ("P", 1), ("RGB", 4), ("RGBA", 4), ("LA", 4)]:
        data = images.encoded(Image.new(mode, (100, 50)), format="PNG")
        image = Image.open(io.BytesIO(data))
        assert avatars.decoding_cost(image, io.BytesIO(data), image.size) == 5000 * per_pixel


def test_a_greyscale_png_may_have_more_pixels_than_a_colour_one(settings, monkeypatch):
    settings.DISEASEMAPS_AVATAR_MAX_DECODE_BYTES = 1_000_000
    grey = images.encoded(Image.new("L", (1000, 1000)), format="PNG")
    colour = images.png(1000, 1000)
    avatars.process(upload("grey.png", grey))
    refuse_to_decode(monkeypatch)
    with pytest.raises(ValidationError) as error:
        avatars.process(upload("colour.png", colour))
    assert "at most 0.2" in error.value.messages[0]


def test_a_webp_of_4_megapixels_is_accepted():
    data = images.encoded(Image.new("RGB", (2000, 2000), (1, 2, 3)), format="WEBP", lossless=True)
    large, _ = avatars.process(upload("big.webp", data, "image/webp"))
    assert Image.open(io.BytesIO(large)).size == (avatars.LARGE, avatars.LARGE)


def test_a_webp_just_over_its_limit_is_refused_before_libwebp_is_handed_the_file(monkeypatch):
    data = images.encoded(Image.new("RGB", (2000, 2001), (1, 2, 3)), format="WEBP", lossless=True)

    def refuse(*args, **kwargs):
        raise AssertionError("libwebp allocated its canvases for a picture over the limit")

    monkeypatch.setattr("PIL.WebPImagePlugin._webp.WebPAnimDecoder", refuse)
    with pytest.raises(ValidationError) as error:
        avatars.process(upload("big.webp", data, "image/webp"))
    assert error.value.code == "too_large"
    assert "This WebP picture is too large for us to process" in error.value.messages[0]
    assert (
        "it has 4.1 megapixels, and a WebP like this one can have at most 4."
        in (error.value.messages[0])
    )


def test_a_webp_whose_size_cannot_be_read_is_refused_as_damaged():
    data = images.encoded(Image.new("RGB", (20, 20)), format="WEBP")
    broken = data[:12] + b"XXXX" + data[16:]
    with pytest.raises(ValidationError) as error:
        avatars.process(upload("broken.webp", broken, "image/webp"))
    assert error.value.code == "damaged"


def test_a_jpeg_is_decoded_at_a_fraction_of_its_size(settings):
    # Decoded whole, 1700 x 1700 would take 11.6 MB; at half size (850 x 850) 2.9 MB.
    settings.DISEASEMAPS_AVATAR_MAX_DECODE_BYTES = 3_000_000
    large, small = avatars.process(upload("photo.jpg", images.jpeg(1700, 1700)))
    assert Image.open(io.BytesIO(large)).size == (avatars.LARGE, avatars.LARGE)
    assert Image.open(io.BytesIO(small)).size == (avatars.SMALL, avatars.SMALL)


def test_a_progressive_jpeg_counts_the_coefficients_libjpeg_keeps(settings, monkeypatch):
    settings.DISEASEMAPS_AVATAR_MAX_DECODE_BYTES = 3_000_000
    data = images.jpeg(1700, 1700, progressive=True)
    refuse_to_decode(monkeypatch)
    with pytest.raises(ValidationError) as error:
        avatars.process(upload("photo.jpg", data))
    assert error.value.code == "too_large"
    assert "This JPEG picture is too large for us to process" in error.value.messages[0]
    assert "save it as a JPEG" not in error.value.messages[0]


def test_a_jpeg_whose_first_scan_lacks_a_component_counts_its_coefficients(settings, monkeypatch):
    settings.DISEASEMAPS_AVATAR_MAX_DECODE_BYTES = 3_000_000
    data = images.with_first_scan_components(images.jpeg(1700, 1700), 1)
    refuse_to_decode(monkeypatch)
    with pytest.raises(ValidationError) as error:
        avatars.process(upload("photo.jpg", data))
    assert error.value.code == "too_large"


def test_a_scan_header_inside_another_segment_is_not_taken_for_the_first_scan(settings):
    settings.DISEASEMAPS_AVATAR_MAX_DECODE_BYTES = 3_000_000
    lookalike = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"  # a one-component SOS
    data = images.with_app_segment(images.jpeg(1700, 1700), lookalike)
    avatars.process(upload("photo.jpg", data))


def test_the_overall_pixel_limit_applies_to_jpegs_too(settings, monkeypatch):
    settings.DISEASEMAPS_AVATAR_MAX_PIXELS = 1_000_000
    avatars.process(upload("ok.jpg", images.jpeg(1000, 1000)))
    data = images.jpeg(1000, 1001)
    refuse_to_decode(monkeypatch)
    with pytest.raises(ValidationError) as error:
        avatars.process(upload("big.jpg", data))
    assert error.value.messages == [
        "This picture is too large (1.1 megapixels). Please choose one of at most 1 megapixels."
    ]


@pytest.mark.parametrize("size", [(1200, 1200), (2400, 1800), (1800, 2400)])
def test_the_square_is_reduced_strip_by_strip_in_the_right_places(monkeypatch, size):
    # Four quadrants of the centre square, in colours far apart.
    monkeypatch.setattr(avatars, "STRIP_PIXELS", 50_000)
    width, height = size
    side = min(size)
    left, top = (width - side) // 2, (height - side) // 2
    image = Image.new("RGB", size, (0, 0, 0))
    colours = {
        (0, 0): (255, 0, 0),
        (1, 0): (0, 255, 0),
        (0, 1): (0, 0, 255),
        (1, 1): (255, 255, 0),
    }
    for (column, row), colour in colours.items():
        x, y = left + column * side // 2, top + row * side // 2
        image.paste(colour, (x, y, x + side // 2, y + side // 2))
    large, _ = avatars.process(upload("quadrants.png", images.encoded(image, format="PNG")))
    result = Image.open(io.BytesIO(large)).convert("RGB")
    quarter = avatars.LARGE // 4
    for (column, row), colour in colours.items():
        seen = result.getpixel((quarter + column * 2 * quarter, quarter + row * 2 * quarter))
        assert all(abs(a - b) < 40 for a, b in zip(seen, colour, strict=True)), (column, row)


def test_transparency_survives_the_reduction():
    image = Image.new("RGBA", (1000, 1000), (255, 0, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 500, 1000))
    large, _ = avatars.process(upload("half.png", images.encoded(image, format="PNG")))
    result = Image.open(io.BytesIO(large)).convert("RGBA")
    assert result.getpixel((10, 200))[3] < 10
    assert result.getpixel((390, 200))[3] > 245


# --- A full disk: a clear error, nothing left behind ------------------------------------------


def stored_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def fill_the_disk(monkeypatch, *, after_files: int = 0) -> None:
    """
    The storage's save fails as on a full disk: the file is created, then writing it raises
    ENOSPC (FileSystemStorage writes through os.fdopen), leaving an empty file behind.
    `after_files` saves succeed first.
    """
    from django.core.files.storage import filesystem

    real_fdopen = filesystem.os.fdopen
    opened = []

    class FullDisk:
        def __init__(self, file):
            self.file = file

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def close(self):
            self.file.close()

    def fdopen(fd, *args, **kwargs):
        opened.append(fd)
        file = real_fdopen(fd, *args, **kwargs)
        return file if len(opened) <= after_files else FullDisk(file)

    monkeypatch.setattr(filesystem.os, "fdopen", fdopen)


@pytest.fixture
def member_with_avatar(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_avatar(profile=member.member_profile, upload=upload("a.png", images.png()))
    return member


@pytest.mark.parametrize("after_files", [0, 1], ids=["large fails", "small fails"])
def test_a_full_disk_leaves_nothing_behind_and_the_old_picture_in_place(
    member_with_avatar, settings, monkeypatch, caplog, after_files
):
    profile = MemberProfile.objects.get(user=member_with_avatar)
    before = (profile.avatar.name, profile.avatar_small.name, profile.updated_at)
    files_before = stored_files(settings)
    fill_the_disk(monkeypatch, after_files=after_files)
    with pytest.raises(ValidationError) as error:
        services.set_avatar(profile=profile, upload=upload("b.png", images.png()))
    assert error.value.code == "not_stored"
    assert error.value.messages == [services.AVATAR_NOT_STORED]
    assert stored_files(settings) == files_before
    assert (profile.avatar.name, profile.avatar_small.name) == before[:2]
    profile.refresh_from_db()
    assert (profile.avatar.name, profile.avatar_small.name, profile.updated_at) == before
    assert "An avatar could not be stored" in caplog.text


def test_the_profile_page_says_the_picture_could_not_be_stored(
    member_with_avatar, settings, monkeypatch
):
    client = Client()
    client.force_login(member_with_avatar)
    profile = MemberProfile.objects.get(user=member_with_avatar)
    files_before = stored_files(settings)
    fill_the_disk(monkeypatch)
    response = client.post(
        reverse("members:avatar"), {"avatar": upload("me.png", images.png(), "image/png")}
    )
    assert response.status_code == 503
    page = response.content.decode()
    assert "We could not store your picture just now, so nothing has changed." in page
    # The rest of the page is as it was: the profile form and the current picture.
    assert f'value="{profile.display_name}"' in page
    assert profile.avatar.url in page
    assert stored_files(settings) == files_before
    assert MemberProfile.objects.get(user=member_with_avatar).avatar.name == profile.avatar.name


def test_an_avatar_upload_is_held_in_memory_never_in_a_temporary_file(rf):
    from django.core.files.uploadedfile import InMemoryUploadedFile

    four_mb = upload("photo.jpg", b"\xff\xd8\xff" + b"\x00" * (4 * 1024 * 1024))
    request = rf.post("/", {"avatar": four_mb})
    assert isinstance(request.FILES["avatar"], InMemoryUploadedFile)
