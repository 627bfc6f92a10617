"""A member sets a picture on their profile page: the upload, a file too large, a full disk."""

import errno
import os

import pytest
from django.conf import settings
from django.test import Client

from diseasemaps.members.models import MemberProfile
from tests.browser.conftest import add_session_cookie
from tests.factories import MemberFactory
from tests.members import images

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, member) -> None:
    client = Client()
    client.force_login(member)
    add_session_cookie(page.context, live_server, client)


def _upload(page, tmp_path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.locator("input[type=file][name=avatar]").set_input_files(str(path))
    page.get_by_role("button", name="Upload picture").click()
    page.wait_for_load_state()


def test_a_member_uploads_a_picture_then_one_too_large_then_meets_a_full_disk(
    page, live_server, tmp_path, monkeypatch
):
    member = MemberFactory()
    _log_in(page, live_server, member)
    page.goto("/members/me/profile/")

    _upload(page, tmp_path, "me.png", images.png(640, 480))
    assert "Your picture is saved." in page.locator("main").inner_text()
    first = MemberProfile.objects.get(user=member).avatar.name
    assert page.get_by_role("img", name="Your current picture").get_attribute("src").endswith(first)

    # The file: a few kilobytes announcing a 39.7-megapixel colour picture.
    _upload(page, tmp_path, "huge.png", images.png_bomb(6300, 6300, rgb=True))
    error = page.locator(".errorlist").inner_text()
    assert "This PNG picture is too large for us to process" in error
    assert "a PNG like this one can have at most 16" in error
    assert MemberProfile.objects.get(user=member).avatar.name == first

    from django.core.files.storage import filesystem

    real_fdopen = filesystem.os.fdopen

    class FullDisk:
        def __init__(self, file):
            self.file = file

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def close(self):
            self.file.close()

    monkeypatch.setattr(filesystem.os, "fdopen", lambda *a, **k: FullDisk(real_fdopen(*a, **k)))
    _upload(page, tmp_path, "other.png", images.png(300, 300, (0, 90, 0)))
    main = page.locator("main").inner_text()
    assert "We could not store your picture just now, so nothing has changed." in main
    assert page.get_by_label("Public name (a pseudonym)").input_value() == (
        member.member_profile.display_name
    )
    assert MemberProfile.objects.get(user=member).avatar.name == first
    stored = {path.name for path in (settings.MEDIA_ROOT / "avatars").iterdir()}
    assert len(stored) == 2  # the first picture's two sizes, nothing of the new one
