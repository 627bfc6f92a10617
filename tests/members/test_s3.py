"""
Avatars on S3 as in production (django-storages on moto's S3 server, over HTTP): stored as
public-read objects with a year-long Cache-Control, linked by one stable unsigned URL that
anyone can fetch, and deleted from the bucket when replaced or when the account is erased.
"""

import urllib.request

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from diseasemaps.core.storage import PUBLIC_CACHE_CONTROL
from diseasemaps.members import services
from diseasemaps.members.models import MemberProfile
from tests.members import images

pytestmark = pytest.mark.django_db


def _bucket(options):
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
    )
    return client, options["bucket_name"]


def _keys(options) -> set[str]:
    client, bucket = _bucket(options)
    return {item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def _png(colour=(200, 30, 30)):
    return SimpleUploadedFile("me.png", images.png(300, 300, colour), content_type="image/png")


def test_an_avatar_uploaded_through_the_page_is_a_public_cached_object(
    s3_storage, member_client, member
):
    response = member_client.post(reverse("members:avatar"), {"avatar": _png()})
    assert response.status_code == 302
    profile = MemberProfile.objects.get(user=member)
    assert _keys(s3_storage) == {profile.avatar.name, profile.avatar_small.name}

    client, bucket = _bucket(s3_storage)
    head = client.head_object(Bucket=bucket, Key=profile.avatar.name)
    assert head["CacheControl"] == PUBLIC_CACHE_CONTROL
    assert head["ContentType"] == "image/webp"
    grants = client.get_object_acl(Bucket=bucket, Key=profile.avatar.name)["Grants"]
    assert any(
        grant["Grantee"].get("URI") == "http://acs.amazonaws.com/groups/global/AllUsers"
        and grant["Permission"] == "READ"
        for grant in grants
    )

    # The page links to one stable, unsigned URL on the bucket, which anyone can fetch.
    page = member_client.get(reverse("members:profile")).content.decode()
    url = profile.avatar.url
    assert url.startswith(f"{s3_storage['endpoint_url']}/{bucket}/avatars/")
    assert "?" not in url
    assert f'src="{url}"' in page
    assert profile.avatar.url == url
    with urllib.request.urlopen(url, timeout=10) as fetched:  # noqa: S310 (the emulator)
        assert fetched.headers["Cache-Control"] == PUBLIC_CACHE_CONTROL
        assert fetched.read()[:4] == b"RIFF"


def test_a_new_avatar_deletes_the_old_objects_and_erasure_deletes_the_rest(
    s3_storage, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_avatar(profile=member.member_profile, upload=_png())
    first = set(_keys(s3_storage))
    assert len(first) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.set_avatar(profile=member.member_profile, upload=_png((0, 90, 0)))
    second = _keys(s3_storage)
    assert len(second) == 2
    assert not first & second

    with django_capture_on_commit_callbacks(execute=True):
        report = services.erase_account(user=member, keep_posts=False)
    assert set(report.deleted_files) == second
    assert _keys(s3_storage) == set()


def test_removing_the_avatar_deletes_its_objects(
    s3_storage, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_avatar(profile=member.member_profile, upload=_png())
    assert len(_keys(s3_storage)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_avatar(profile=member.member_profile)
    assert _keys(s3_storage) == set()


def test_private_uploads_keep_short_lived_signed_urls(s3_storage):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("private/report.txt", ContentFile(b"private"))
    url = default_storage.url(name)
    assert "Signature=" in url or "X-Amz-Signature=" in url
    assert "Expires=" in url or "X-Amz-Expires=" in url
