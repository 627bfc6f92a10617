import json
import shutil
import subprocess

import pytest

from tests.checkers import VNU, checker
from tests.pages import account_pages, member_pages, public_pages

pytestmark = pytest.mark.django_db


def test_every_page_type_is_valid_html_for_the_nu_checker(client, tmp_path):
    _check_with_vnu(client, public_pages(), tmp_path)


def test_every_member_page_type_is_valid_html_for_the_nu_checker(member_client, member, tmp_path):
    pages = {name: page.url for name, page in member_pages(member).items() if not page.data}
    _check_with_vnu(member_client, pages | account_pages(), tmp_path)


def _check_with_vnu(client, pages: dict[str, str], tmp_path) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is needed for the Nu HTML checker (vnu-jar).")
    files = {}
    for number, (name, url) in enumerate(pages.items()):
        path = tmp_path / f"page-{number}.html"
        response = client.get(url)
        assert response.status_code in (200, 404), name  # the not-found page is a page type
        path.write_bytes(response.content)
        files[path] = name
    names = {path.name: name for path, name in files.items()}
    result = subprocess.run(  # noqa: S603 (fixed arguments, our own files)
        [java, "-jar", str(checker(VNU)), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{names.get(message.get('url', '').rsplit('/', 1)[-1], '?')}: "
        f"line {message.get('lastLine')}: "
        f"{message['message']}"
        for message in messages
        if message["type"] in ("error", "non-document-error")
    ]
    assert errors == []
    assert result.returncode == 0
