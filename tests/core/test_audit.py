"""
Audit events and the logs: every event is there, as one JSON line with the UTC time, the user
id, the client address and the request id; no e-mail address, condition, post text, note or
password ever is. Canaries (marked strings) go in through every form and must not come out.
"""

import io
import json
import logging

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from diseasemaps.answers import services as answers
from diseasemaps.core.logs import JsonFormatter, RequestIdFilter
from diseasemaps.experiences import services as experiences
from tests.conftest import mfa_client
from tests.factories import (
    TEST_PASSWORD,
    ConditionFactory,
    MemberConditionFactory,
    ReviewerFactory,
    RevisionFactory,
    StaffFactory,
    TreatmentFactory,
)

pytestmark = pytest.mark.django_db

EMAIL = "canary.person@canary-mail.example"
PASSWORD = "canary-secret-passphrase"
CONDITION = "Canaryoma Protuberans"
POST = "Canary post text: I had canary surgery over two days and it healed well."
NOTE = "Canary reviewer note about the dose."


@pytest.fixture
def logs():
    """Every log line the site writes during the test, as the production handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def events(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_the_logs_hold_every_event_and_no_personal_data(logs, django_capture_on_commit_callbacks):
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post(
        reverse("account_signup"),
        {
            "email": EMAIL,
            "display_name": "CanaryLark",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    for _ in range(6):  # wrong password until allauth locks the address out
        client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD + "-wrong"})

    condition = ConditionFactory(name=CONDITION)
    author = MemberConditionFactory(condition=condition).user
    moderator = StaffFactory(roles=["Moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        post = experiences.submit_experience(author=author, condition=condition, body=POST)
        experiences.reject_experience(
            experience=post, moderator=moderator, guideline="personal_data", reason=NOTE
        )
    draft = RevisionFactory(body=POST)
    reviewer = ReviewerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        answers.submit_for_review(revision=draft, actor=draft.author)
        answers.request_changes(revision=draft, reviewer=reviewer, note=NOTE)

    editor = StaffFactory(roles=["Editor"])
    staff = mfa_client(editor)
    denied = staff.get(reverse("admin:experiences_experience_change", args=[post.pk]))
    assert denied.status_code == 403
    admin = mfa_client(StaffFactory(is_superuser=True))
    treatment = TreatmentFactory(condition=condition, name=f"{CONDITION} canary treatment")
    deleted = admin.post(
        reverse("admin:experiences_treatment_delete", args=[treatment.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    client.get(reverse("search:results") + "?q=" + CONDITION.replace(" ", "+"))

    lines = logs.getvalue()
    canaries = (EMAIL, "canary-mail", PASSWORD, CONDITION, "Canaryoma", POST, "surgery", NOTE)
    for canary in canaries:
        assert canary not in lines, canary
    audit = [e for e in events(logs) if e.get("logger") == "diseasemaps.audit"]
    names = [e["event"] for e in audit]
    for expected in (
        "permission_denied",
        "login_failed",
        "login_locked_out",
        "moderation_decision",
        "review_decision",
        "admin_change",
    ):
        assert expected in names, names
    locked = next(e for e in audit if e["event"] == "login_locked_out")
    assert locked["client_ip"] == "198.51.100.7"
    assert locked["timestamp"].endswith("+00:00")
    assert locked["request_id"]
    decision = next(e for e in audit if e["event"] == "moderation_decision")
    assert decision["user_id"] == moderator.pk
    assert decision["action"] == "reject"
    assert decision["member_id"] == author.pk


def test_a_log_in_is_an_event_with_the_user_id_and_address(logs, member):
    client = Client(REMOTE_ADDR="203.0.113.9")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    login = next(e for e in events(logs) if e.get("event") == "login")
    assert login["user_id"] == member.pk
    assert login["client_ip"] == "203.0.113.9"
    assert member.email not in logs.getvalue()
