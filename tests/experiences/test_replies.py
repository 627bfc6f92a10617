"""
Replies under a post: the posts' rules (moderation until trusted, reports and auto-hide,
guidelines, suspension), the post's audience, the signal the apps above listen to, and what
replies never are (people who shared, reviewed content).
"""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from diseasemaps.experiences import services
from diseasemaps.experiences.models import (
    Experience,
    Guideline,
    ModerationDecision,
    PeopleCount,
    Reply,
    ReplyReport,
)
from diseasemaps.experiences.signals import reply_published
from diseasemaps.members.models import MemberCondition
from tests.factories import ExperienceFactory, MemberConditionFactory, MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db

TEXT = "Which centre did your Mohs surgery, if you do not mind saying?"
Action = ModerationDecision.Action


def replier(post, **kwargs):
    """A member with the post's condition on their profile, who may reply under it."""
    return MemberConditionFactory(condition=post.condition, **kwargs).user


def reply_to(post, author=None, body=TEXT, **kwargs) -> Reply:
    return services.submit_reply(
        author=author or replier(post), experience=post, body=body, **kwargs
    )


def approved_reply(post, moderator, author=None, **kwargs) -> Reply:
    return services.approve_reply(reply=reply_to(post, author, **kwargs), moderator=moderator)


@pytest.fixture
def post():
    return ExperienceFactory()


@pytest.fixture
def published():
    sent = []

    def receiver(sender, reply, **kwargs):
        sent.append(reply.pk)

    reply_published.connect(receiver)
    yield sent
    reply_published.disconnect(receiver)


# --- Replying -----------------------------------------------------------------------------------


def test_a_reply_waits_for_a_moderator_and_only_its_author_sees_it(post):
    author = replier(post)
    reply = reply_to(post, author)
    assert reply.status == Reply.Status.PENDING
    assert not Reply.objects.visible().exists()
    assert list(Reply.objects.shown_to(author)) == [reply]
    assert list(Reply.objects.shown_to(MemberFactory())) == []
    assert list(Reply.objects.shown_to(None)) == []


def test_a_caregiver_may_reply(post):
    caregiver = replier(post, relationship=MemberCondition.Relationship.CARING_FOR)
    assert reply_to(post, caregiver).author == caregiver


def test_a_member_without_the_condition_cannot_reply(post, member):
    with pytest.raises(PermissionDenied, match="Add this condition"):
        reply_to(post, member)
    assert not Reply.objects.exists()


def test_a_suspended_member_cannot_reply(post, moderator):
    author = replier(post)
    services.suspend_member(member=author, moderator=moderator, reason="Spam.")
    with pytest.raises(PermissionDenied, match="suspended"):
        reply_to(post, author)
    assert not Reply.objects.exists()


@pytest.mark.parametrize("state", [{"status": "pending", "approved_at": None}, {"is_hidden": True}])
def test_nobody_replies_to_a_post_readers_cannot_see(state):
    post = ExperienceFactory(**state)
    with pytest.raises(ValidationError, match="not published"):
        reply_to(post)


def test_a_reply_too_short_is_refused_and_nothing_is_written(post):
    with pytest.raises(ValidationError):
        reply_to(post, body=" ")
    assert not Reply.objects.exists()


def test_a_reply_answers_a_reply_on_the_same_post_only(post, moderator):
    first = approved_reply(post, moderator)
    answer = reply_to(post, in_reply_to=first)
    assert answer.in_reply_to == first
    elsewhere = approved_reply(ExperienceFactory(condition=post.condition), moderator)
    with pytest.raises(ValidationError):
        reply_to(post, in_reply_to=elsewhere)


def test_the_same_form_sent_twice_saves_one_reply(post):
    author = replier(post)
    first = reply_to(post, author, submission_key="k" * 24)
    again = reply_to(post, author, submission_key="k" * 24)
    assert first.pk == again.pk
    assert Reply.objects.count() == 1


def test_the_database_refuses_a_second_reply_from_the_same_form(post):
    author = replier(post)
    reply_to(post, author, submission_key="k" * 24)
    duplicate = Reply(experience=post, author=author, submission_key="k" * 24)
    duplicate.set_body(TEXT)
    with pytest.raises(IntegrityError):
        duplicate.save()


def test_a_trusted_members_reply_is_published_at_once_and_announced_once(
    post, moderator, settings, published
):
    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 2
    author = replier(post)
    approved_reply(post, moderator, author)
    approved_reply(post, moderator, author)
    assert len(published) == 2
    third = reply_to(post, author)
    assert third.is_visible
    assert published[-1] == third.pk
    assert len(published) == 3
    assert ModerationDecision.objects.filter(reply=third, action=Action.PUBLISH_TRUSTED).exists()


def test_approved_posts_and_replies_both_count_towards_trust(post, moderator, settings):
    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 2
    author = replier(post)
    ExperienceFactory(author=author, condition=post.condition, question=post.question)
    approved_reply(post, moderator, author)
    assert services.is_trusted(author)


def test_a_rejected_reply_revokes_trust_for_posts_too(post, moderator, settings):
    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 1
    author = replier(post)
    approved_reply(post, moderator, author)
    assert services.is_trusted(author)
    services.reject_reply(
        reply=reply_to(post, author), moderator=moderator, guideline=Guideline.RESPECT
    )
    assert not services.is_trusted(author)


# --- Moderation ---------------------------------------------------------------------------------


def test_approving_publishes_the_reply_tells_the_author_and_announces_it_once(
    post, moderator, published, django_capture_on_commit_callbacks
):
    reply = reply_to(post)
    assert published == []
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_reply(reply=reply, moderator=moderator)
    reply.refresh_from_db()
    assert reply.is_visible
    assert reply.approved_at is not None
    assert published == [reply.pk]
    # The replier hears of the decision; the post's author, through the community app's
    # notification (replies are e-mailed at once by default), of the reply.
    sent = {m.subject: m for m in mail.outbox}
    assert set(sent) == {
        "A moderator has looked at your reply on DiseaseMaps",
        "Someone replied to you on DiseaseMaps",
    }
    decision = sent["A moderator has looked at your reply on DiseaseMaps"]
    assert decision.to == [reply.author.email]
    assert f"/experiences/{post.pk}/#reply-{reply.pk}" in decision.body
    assert sent["Someone replied to you on DiseaseMaps"].to == [post.author.email]
    for message in mail.outbox:
        assert post.condition.name not in message.subject + message.body
    with pytest.raises(ValidationError, match="Nothing on this reply"):
        services.approve_reply(reply=reply, moderator=moderator)
    assert published == [reply.pk]


def test_the_signal_is_sent_inside_the_transaction_and_not_for_a_rolled_back_approval(
    post, moderator, published
):
    reply = reply_to(post)

    def fail(sender, reply, **kwargs):
        raise RuntimeError("a receiver failed")

    reply_published.connect(fail)
    try:
        with pytest.raises(RuntimeError):
            services.approve_reply(reply=reply, moderator=moderator)
    finally:
        reply_published.disconnect(fail)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.PENDING
    assert not ModerationDecision.objects.filter(reply=reply).exists()


def test_an_approval_of_text_not_read_is_refused(post, moderator):
    reply = reply_to(post)
    with pytest.raises(ValidationError, match="changed this reply"):
        services.approve_reply(reply=reply, moderator=moderator, expected_fingerprint="0" * 64)
    services.approve_reply(
        reply=reply, moderator=moderator, expected_fingerprint=reply.text_fingerprint
    )


def test_only_a_moderator_decides(post, member):
    reply = reply_to(post)
    with pytest.raises(PermissionDenied):
        services.approve_reply(reply=reply, moderator=member)
    with pytest.raises(PermissionDenied):
        services.reject_reply(reply=reply, moderator=member, guideline=Guideline.RESPECT)


def test_rejecting_names_a_guideline_hides_the_reply_and_tells_the_author(
    post, moderator, django_capture_on_commit_callbacks
):
    reply = reply_to(post)
    with pytest.raises(ValidationError):
        services.reject_reply(reply=reply, moderator=moderator, guideline="")
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_reply(
            reply=reply, moderator=moderator, guideline=Guideline.NO_MEDICAL_ADVICE, reason="Cure."
        )
    reply.refresh_from_db()
    assert reply.status == Reply.Status.REJECTED
    assert list(Reply.objects.shown_to(reply.author)) == []
    decision = ModerationDecision.objects.get(reply=reply, action=Action.REJECT)
    assert decision.guideline == Guideline.NO_MEDICAL_ADVICE
    assert "did not publish your reply" in mail.outbox[0].body


# --- Reports ------------------------------------------------------------------------------------


def test_enough_reports_hide_a_reply_until_a_moderator_keeps_it(post, moderator, settings):
    settings.DISEASEMAPS_EXPERIENCES_HIDE_AFTER_REPORTS = 2
    reply = approved_reply(post, moderator)
    services.report_reply(reply=reply, reporter=MemberFactory(), reason="disrespect")
    reply.refresh_from_db()
    assert reply.is_visible
    services.report_reply(reply=reply, reporter=MemberFactory(), reason="disrespect")
    reply.refresh_from_db()
    assert reply.is_hidden
    assert ModerationDecision.objects.filter(reply=reply, action=Action.HIDE).exists()
    assert not Reply.objects.visible().exists()
    assert Reply.objects.needing_moderation().get() == reply

    services.approve_reply(reply=reply, moderator=moderator)
    reply.refresh_from_db()
    assert reply.is_visible
    assert not ReplyReport.objects.open().exists()


def test_a_member_reports_a_reply_once_and_never_their_own(post, moderator):
    author = replier(post)
    reply = approved_reply(post, moderator, author)
    with pytest.raises(ValidationError, match="your own reply"):
        services.report_reply(reply=reply, reporter=author, reason="other")
    reporter = MemberFactory()
    services.report_reply(reply=reply, reporter=reporter, reason="other")
    with pytest.raises(ValidationError, match="already reported"):
        services.report_reply(reply=reply, reporter=reporter, reason="other")
    assert ReplyReport.objects.count() == 1


def test_a_report_that_someone_is_at_risk_alerts_every_moderator(
    post, moderator, django_capture_on_commit_callbacks
):
    reply = approved_reply(post, moderator)
    other = StaffFactory(roles=["Moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reply(reply=reply, reporter=MemberFactory(), reason="at_risk")
    alerts = [m for m in mail.outbox if "may be at risk" in m.subject]
    assert sorted(m.to[0] for m in alerts) == sorted([moderator.email, other.email])
    assert f"/admin/experiences/reply/{reply.pk}/change/" in alerts[0].body


# --- Deleting -----------------------------------------------------------------------------------


def test_an_author_deletes_their_own_reply_only(post, moderator):
    author = replier(post)
    reply = approved_reply(post, moderator, author)
    answer = approved_reply(post, moderator, in_reply_to=reply)
    with pytest.raises(PermissionDenied):
        services.delete_reply(reply=reply, actor=answer.author)
    services.delete_reply(reply=reply, actor=author)
    assert not Reply.objects.filter(pk=reply.pk).exists()
    answer.refresh_from_db()
    assert answer.in_reply_to is None


# --- What replies are not -----------------------------------------------------------------------


def test_replies_never_count_as_people_who_shared(post, moderator):
    for _ in range(3):
        approved_reply(post, moderator)
    assert Experience.objects.visible().people_count() == PeopleCount(living_with=1)


def test_a_reply_under_a_members_only_post_is_members_only(moderator):
    post = ExperienceFactory(audience=Experience.Audience.MEMBERS)
    reply = approved_reply(post, moderator)
    assert reply.is_members_only
    assert list(Reply.objects.shown_to(None)) == []
    assert list(Reply.objects.shown_to(MemberFactory())) == [reply]


def test_a_reply_names_no_condition_in_its_address(post, moderator):
    reply = approved_reply(post, moderator)
    assert reply.get_absolute_url() == f"/experiences/{post.pk}/#reply-{reply.pk}"


def test_a_posts_author_may_always_answer_under_it():
    post = ExperienceFactory()  # its author has no condition on their profile any more
    assert reply_to(post, post.author).author == post.author
