"""
Moderation in the admin, by staff logged in past two-factor authentication.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from diseasemaps.experiences import services
from diseasemaps.experiences.models import (
    Experience,
    Guideline,
    MemberStanding,
    ModerationDecision,
    Report,
)
from tests.conftest import mfa_client
from tests.factories import ExperienceFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(moderator):
    return mfa_client(moderator)


def hidden_inputs(html: str) -> dict:
    """The hidden fields of the admin's form (the inlines' management forms, ids)."""
    fields = {}
    for tag in re.findall(r"<input[^>]+>", html):
        if 'type="hidden"' not in tag or "csrfmiddlewaretoken" in tag:
            continue
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def decide(client, experience, **data):
    url = reverse("admin:experiences_experience_change", args=[experience.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = {**hidden_inputs(page.content.decode()), "moderator_note": "", **data}
    return client.post(url, form)


def pending():
    return ExperienceFactory(status=Experience.Status.PENDING, approved_at=None)


def test_a_moderator_approves_a_post_on_its_admin_page(moderator_client, moderator):
    experience = pending()
    response = decide(moderator_client, experience, decision="approve")
    assert response.status_code == 302
    experience.refresh_from_db()
    assert experience.status == Experience.Status.APPROVED
    assert experience.decisions.get().moderator == moderator


def test_a_rejection_in_the_admin_needs_a_guideline(moderator_client):
    experience = pending()
    response = decide(moderator_client, experience, decision="reject")
    assert response.status_code == 200
    assert "Choose the guideline" in response.content.decode()
    experience.refresh_from_db()
    assert experience.status == Experience.Status.PENDING

    decide(
        moderator_client,
        experience,
        decision="reject",
        guideline=Guideline.NO_PROMOTION,
        reason="Advertising.",
    )
    experience.refresh_from_db()
    assert experience.status == Experience.Status.REJECTED
    assert experience.decisions.get().guideline == Guideline.NO_PROMOTION


def test_a_moderator_sets_a_public_note_and_it_is_recorded(moderator_client):
    experience = ExperienceFactory()
    decide(moderator_client, experience, moderator_note="See the reviewed answer above.")
    experience.refresh_from_db()
    assert experience.moderator_note == "See the reviewed answer above."
    assert experience.decisions.get().action == ModerationDecision.Action.NOTE


def test_the_approve_action_works_on_many_posts(
    moderator_client, django_capture_on_commit_callbacks
):
    posts = [pending(), pending()]
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            reverse("admin:experiences_experience_changelist"),
            {"action": "approve", "_selected_action": [p.pk for p in posts]},
        )
    assert Experience.objects.visible().count() == 2
    assert len(mail.outbox) == 2


def test_the_queue_puts_someone_at_risk_first(moderator_client):
    reported = ExperienceFactory(body="Reported for spam.")
    services.report_experience(experience=reported, reporter=MemberFactory(), reason="promotion")
    at_risk = ExperienceFactory(body="At risk.")
    services.report_experience(
        experience=at_risk, reporter=MemberFactory(), reason=Report.Reason.AT_RISK
    )
    pending()
    html = moderator_client.get(
        reverse("admin:experiences_experience_changelist") + "?queue=waiting"
    ).content.decode()
    assert html.index(f"Experience {at_risk.pk} ") < html.index(f"Experience {reported.pk} ")
    reports = moderator_client.get(reverse("admin:experiences_report_changelist"))
    assert reports.status_code == 200


def test_moderators_see_pseudonyms_not_email_addresses(moderator_client):
    experience = pending()
    html = moderator_client.get(
        reverse("admin:experiences_experience_change", args=[experience.pk])
    ).content.decode()
    assert experience.author.member_profile.display_name in html
    assert experience.author.email not in html


def test_a_moderator_suspends_a_member_in_the_admin(moderator_client, moderator):
    member = MemberFactory()
    standing = MemberStanding.objects.create(user=member)
    url = reverse("admin:experiences_memberstanding_change", args=[standing.pk])
    moderator_client.post(url, {"is_suspended": "on", "suspension_reason": "Spam, again."})
    standing.refresh_from_db()
    assert standing.is_suspended
    assert ModerationDecision.objects.get(member=member).moderator == moderator


def test_an_editor_cannot_moderate(editor):
    client = mfa_client(editor)
    experience = pending()
    url = reverse("admin:experiences_experience_change", args=[experience.pk])
    assert client.get(url).status_code == 403


def test_the_admin_shows_the_post_as_readers_see_it(moderator_client):
    experience = ExperienceFactory(body="It was **hard**.")
    html = moderator_client.get(
        reverse("admin:experiences_experience_change", args=[experience.pk])
    ).content.decode()
    assert "<strong>hard</strong>" in html


def test_a_moderator_rejects_and_suspends_the_author_in_one_step(moderator_client):
    experience = pending()
    decide(
        moderator_client,
        experience,
        decision="reject",
        guideline=Guideline.NO_PROMOTION,
        reason="Selling supplements, again.",
        suspend_author="on",
    )
    experience.refresh_from_db()
    assert experience.status == Experience.Status.REJECTED
    assert MemberStanding.objects.get(user=experience.author).is_suspended


def test_a_decision_that_fails_leaves_nothing_half_done(moderator_client):
    experience = ExperienceFactory()  # approved, nothing waiting
    decide(moderator_client, experience, decision="approve", moderator_note="A note.")
    experience.refresh_from_db()
    assert experience.moderator_note == ""
    assert not ModerationDecision.objects.exists()
