"""
Reading members' content while logged in is limited per account and per client address, so
that nobody walks every member's page and members-only post at full speed.
"""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    published_question,
)

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _low_limits(settings):
    settings.DISEASEMAPS_MEMBER_READS_PER_ACCOUNT = LIMIT
    settings.DISEASEMAPS_MEMBER_READS_PER_ADDRESS = 100
    settings.DISEASEMAPS_MEMBER_READS_MINUTES = 10


@pytest.fixture
def content(db):
    """One page of each kind that shows members' content to a logged-in member."""
    question = published_question()
    post = ExperienceFactory(question=question, audience="members", body="Only for members.")
    shared = MemberConditionFactory(condition=question.condition, visibility="members")
    return {
        "member page": shared.user.member_profile.get_absolute_url(),
        "post": post.get_absolute_url(),
        "report form": reverse("experiences:report", args=[post.pk]),
        "question": question.get_absolute_url(),
        "condition": question.condition.get_absolute_url(),
    }


def reader(address: str = "198.51.100.7", member=None) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(member or MemberFactory())
    return client


def test_a_member_reading_past_the_limit_gets_a_page_that_explains(content):
    client = reader()
    for _ in range(LIMIT):
        assert client.get(content["post"]).status_code == 200
    response = client.get(content["post"])
    assert response.status_code == 429
    page = response.content.decode()
    assert "Please come back in a few minutes" in page
    assert "in the last 10 minutes" in page
    assert "Only for members." not in page
    assert response["Retry-After"] == "600"
    assert "no-store" in response["Cache-Control"]
    assert f'href="{reverse("conditions:index")}"' in page


@pytest.mark.parametrize("page", ["member page", "post", "report form", "question", "condition"])
def test_every_page_with_members_content_counts_and_is_paused(content, page):
    client = reader()
    others = [url for name, url in content.items() if name != page]
    for url in others[:LIMIT]:
        assert client.get(url).status_code == 200
    assert client.get(content[page]).status_code == 429


def test_walking_post_numbers_that_do_not_exist_counts_too(content):
    client = reader()
    statuses = [client.get(f"/experiences/{number}/").status_code for number in range(9000, 9004)]
    assert statuses == [404, 404, 404, 429]


def test_the_limit_is_per_account(content):
    first, second = reader(address="198.51.100.7"), reader(address="198.51.100.7")
    for _ in range(LIMIT + 1):
        first.get(content["post"])
    assert first.get(content["post"]).status_code == 429
    assert second.get(content["post"]).status_code == 200


def test_the_limit_per_address_holds_for_several_accounts(settings, content):
    settings.DISEASEMAPS_MEMBER_READS_PER_ACCOUNT = 100
    settings.DISEASEMAPS_MEMBER_READS_PER_ADDRESS = 4
    accounts = [reader(address="203.0.113.9") for _ in range(3)]
    statuses = [client.get(content["post"]).status_code for client in accounts * 2]
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert reader(address="203.0.113.10").get(content["post"]).status_code == 200


def test_a_forged_forwarded_header_does_not_reset_the_address_count(settings, content):
    settings.DISEASEMAPS_TRUSTED_PROXY_COUNT = 1
    settings.DISEASEMAPS_MEMBER_READS_PER_ACCOUNT = 100
    settings.DISEASEMAPS_MEMBER_READS_PER_ADDRESS = 2
    statuses = []
    for number in range(4):
        client = reader(address="10.0.0.1")  # the proxy
        forwarded = f"192.0.2.{number}, 203.0.113.50"  # forged first entry, then the real client
        statuses.append(client.get(content["post"], HTTP_X_FORWARDED_FOR=forwarded).status_code)
    assert statuses == [200, 200, 429, 429]


def test_visitors_are_not_counted(client, content):
    for _ in range(LIMIT + 2):
        assert client.get(content["post"]).status_code == 200
        assert client.get(content["member page"]).status_code == 200


def test_pages_without_members_content_are_not_counted(content):
    client = reader()
    for _ in range(LIMIT + 2):
        assert client.get(reverse("conditions:index")).status_code == 200
        assert client.get(reverse("members:account")).status_code == 200
    assert client.get(content["post"]).status_code == 200


def test_the_pause_is_one_audit_event_with_the_user_id_and_address_only(caplog, content):
    member = MemberFactory(email="watched.reader@example.org")
    client = reader(address="198.51.100.23", member=member)
    with caplog.at_level(logging.INFO, logger="diseasemaps.audit"):
        for _ in range(LIMIT + 4):
            client.get(content["post"])
    records = [
        record
        for record in caplog.records
        if record.name == "diseasemaps.audit" and record.event != "login"  # the reader's log-in
    ]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.WARNING
    assert (record.event, record.user_id, record.client_ip) == (
        "member_reads_paused",
        member.pk,
        "198.51.100.23",
    )
    text = record.getMessage()
    assert f"user id {member.pk}" in text
    assert "198.51.100.23" in text
    for private in [
        member.email,
        member.member_profile.display_name,
        member.member_profile.public_id,
        "Only for members.",
        content["post"],
    ]:
        assert private not in text
        assert private not in str(vars(record))
