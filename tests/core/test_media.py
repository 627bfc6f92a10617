"""
Media in each deployment: the pictures' origin allowed by the CSP is the one the storage's URLs
really point to, public uploads get stable cacheable URLs on S3, and local uploads are served
by the app with DEBUG off.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from storages.backends.s3 import S3Storage

from diseasemaps.core.storage import (
    PUBLIC_CACHE_CONTROL,
    S3_BACKEND,
    media_origins,
    public_storage,
)

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"access_key": "key", "secret_key": "secret", "bucket_name": "dm-media"}
S3_CONFIGURATIONS = [
    pytest.param({**KEYS}, id="aws"),
    pytest.param({**KEYS, "region_name": "eu-west-3"}, id="aws-region"),
    pytest.param({**KEYS, "endpoint_url": "https://s3.fr-par.scw.cloud"}, id="endpoint"),
    pytest.param(
        {**KEYS, "endpoint_url": "http://127.0.0.1:9000", "addressing_style": "path"},
        id="endpoint-path",
    ),
    pytest.param(
        {**KEYS, "endpoint_url": "https://minio.example:9000", "addressing_style": "virtual"},
        id="endpoint-virtual",
    ),
    pytest.param({**KEYS, "custom_domain": "media.diseasemaps.example"}, id="cdn"),
]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.parametrize("options", S3_CONFIGURATIONS)
@pytest.mark.parametrize("alias", ["default", "public"])
def test_the_allowed_origin_is_where_the_s3_storage_links_to(options, alias):
    entry = (
        public_storage(backend=S3_BACKEND, options=options)
        if alias == "public"
        else {"OPTIONS": options}
    )
    url = S3Storage(**entry["OPTIONS"]).url("avatars/abc.webp")
    assert _origin(url) in media_origins(backend=S3_BACKEND, options=options, media_url="media/")


def test_local_uploads_come_from_our_own_origin_or_the_media_host():
    local = "django.core.files.storage.FileSystemStorage"
    assert media_origins(backend=local, options={}, media_url="media/") == []
    assert media_origins(
        backend=local, options={}, media_url="https://media.diseasemaps.example/u/"
    ) == ["https://media.diseasemaps.example"]


@pytest.mark.parametrize("options", S3_CONFIGURATIONS)
def test_public_uploads_on_s3_have_one_stable_unsigned_url_cached_for_a_year(options):
    storage = S3Storage(**public_storage(backend=S3_BACKEND, options=options)["OPTIONS"])
    url = storage.url("avatars/abc.webp")
    assert urlsplit(url).query == ""
    assert storage.url("avatars/abc.webp") == url
    assert storage.default_acl == "public-read"
    assert storage.object_parameters["CacheControl"] == PUBLIC_CACHE_CONTROL
    # The private default stays signed and short-lived.
    assert "Signature" in S3Storage(**options).url("private/abc.pdf") or options.get(
        "custom_domain"
    )


def _settings_in_a_fresh_process(**environment) -> dict:
    code = (
        "import json; from diseasemaps import settings as s;"
        "print(json.dumps({'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'],"
        "'public': s.STORAGES['public']}))"
    )
    env = {**os.environ, "SECRET_KEY": "media-test", **environment}
    result = subprocess.run(  # noqa: S603 (our own settings module)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_the_policy_allows_pictures_from_the_configured_storage_and_nowhere_else():
    options = {**KEYS, "custom_domain": "media.diseasemaps.example"}
    configured = _settings_in_a_fresh_process(
        STORAGE_BACKEND=S3_BACKEND, STORAGE_OPTIONS=json.dumps(options)
    )
    assert configured["img"] == ["'self'", "https://media.diseasemaps.example"]
    assert configured["public"]["OPTIONS"]["querystring_auth"] is False
    assert _settings_in_a_fresh_process()["img"] == ["'self'"]
    media_host = _settings_in_a_fresh_process(MEDIA_URL="https://media.diseasemaps.example/")
    assert media_host["img"] == ["'self'", "https://media.diseasemaps.example"]


def test_pages_send_the_media_origin_in_their_policy(client, settings, db):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "img-src": ["'self'", "https://media.diseasemaps.example"]}
    }
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' https://media.diseasemaps.example" in policy


def test_local_uploads_are_served_by_the_app_with_debug_off(client, settings):
    assert settings.DEBUG is False
    folder = settings.MEDIA_ROOT / "avatars"
    folder.mkdir(parents=True)
    (folder / "x1y2.webp").write_bytes(b"RIFF....WEBPVP8 ")
    (settings.MEDIA_ROOT.parent / "secret.txt").write_text("not an upload")

    response = client.get("/media/avatars/x1y2.webp")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"RIFF....WEBPVP8 "
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == PUBLIC_CACHE_CONTROL
    assert "Set-Cookie" not in response
    assert "Cookie" not in response.get("Vary", "")

    assert client.get("/media/avatars/missing.webp").status_code == 404
    # A path out of MEDIA_ROOT is refused as suspicious, whatever it is written as.
    client.raise_request_exception = False
    for escape in ("/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/a/../../secret.txt"):
        response = client.get(escape)
        assert response.status_code in (400, 404)
        assert b"not an upload" not in response.content
    assert client.get("/media/avatars/").status_code == 404
    assert client.get("/media/").status_code == 404


def test_uploads_are_not_served_by_the_app_when_s3_or_a_media_host_has_them(client, settings, db):
    folder = settings.MEDIA_ROOT / "avatars"
    folder.mkdir(parents=True)
    (folder / "x1y2.webp").write_bytes(b"RIFF....WEBPVP8 ")
    assert client.get("/media/avatars/x1y2.webp").status_code == 200
    settings.MEDIA_URL = "https://media.diseasemaps.example/"
    assert client.get("/media/avatars/x1y2.webp").status_code == 404
    settings.MEDIA_URL = "media/"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": S3_BACKEND, "OPTIONS": {**KEYS}},
    }
    assert client.get("/media/avatars/x1y2.webp").status_code == 404
