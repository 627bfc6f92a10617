"""A member's picture stored on S3 displays in chromium under our Content-Security-Policy."""

from urllib.parse import urlsplit

import pytest

from diseasemaps.core.storage import S3_BACKEND, media_origins
from diseasemaps.members.models import MemberProfile
from tests.browser.conftest import log_in
from tests.factories import MemberFactory
from tests.members import images

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_avatar_uploaded_to_s3_displays_with_no_csp_violation(
    page, live_server, tmp_path, settings, s3_storage
):
    # The policy as settings.py derives it from these storage options.
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    origins = media_origins(backend=S3_BACKEND, options=s3_storage, media_url=settings.MEDIA_URL)
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {**directives, "img-src": ["'self'", *origins]},
    }
    member = MemberFactory()
    log_in(page.context, live_server, member)
    page.goto("/members/me/profile/")

    picture = tmp_path / "me.png"
    picture.write_bytes(images.png(640, 480))
    page.locator("input[type=file][name=avatar]").set_input_files(str(picture))
    page.get_by_role("button", name="Upload picture").click()
    page.wait_for_load_state("load")

    assert "Your picture is saved." in page.locator("main").inner_text()
    image = page.get_by_role("img", name="Your current picture")
    src = image.get_attribute("src")
    profile = MemberProfile.objects.get(user=member)
    assert src == profile.avatar.url
    assert urlsplit(src).netloc == urlsplit(s3_storage["endpoint_url"]).netloc
    image.evaluate("img => img.decode()")
    assert image.evaluate("img => img.naturalWidth") == 400
    assert page.problems.messages == []
    assert {urlsplit(url).netloc for url in page.foreign_requests} == {urlsplit(src).netloc}
