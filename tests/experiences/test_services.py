import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from diseasemaps.experiences import services
from diseasemaps.experiences.models import (
    Experience,
    Guideline,
    MemberStanding,
    ModerationDecision,
    Reaction,
    Report,
)
from diseasemaps.members.models import MemberCondition
from tests.factories import (
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    QuestionFactory,
    TreatmentFactory,
)

pytestmark = pytest.mark.django_db

BODY = "It went *well*, after a long wait for the operation."
Action = ModerationDecision.Action


def sharer(condition, **kwargs):
    """A member who has the condition on their profile, and so may share on it."""
    return MemberConditionFactory(condition=condition, **kwargs).user


def share(author, question, body=BODY, **kwargs):
    return services.submit_experience(
        author=author, condition=question.condition, question=question, body=body, **kwargs
    )


def approved_posts(author, question, count, moderator):
    for _ in range(count):
        services.approve_experience(experience=share(author, question), moderator=moderator)


# --- Sharing ------------------------------------------------------------------------------------


def test_a_shared_experience_waits_for_moderation():
    question = QuestionFactory()
    experience = share(sharer(question.condition), question)
    assert experience.status == Experience.Status.PENDING
    assert experience.body_html == (
        "<p>It went <em>well</em>, after a long wait for the operation.</p>\n"
    )
    assert not Experience.objects.visible().exists()


def test_a_member_without_the_condition_on_their_profile_cannot_share(member):
    question = QuestionFactory()
    with pytest.raises(PermissionDenied, match="Add this condition"):
        share(member, question)
    assert not Experience.objects.exists()


def test_a_caregiver_may_share():
    question = QuestionFactory()
    author = sharer(question.condition, relationship=MemberCondition.Relationship.CARING_FOR)
    assert share(author, question).pk


def test_a_suspended_member_cannot_share(moderator):
    question = QuestionFactory()
    author = sharer(question.condition)
    services.suspend_member(member=author, moderator=moderator, reason="Spam.")
    with pytest.raises(PermissionDenied, match="suspended"):
        share(author, question)


def test_a_post_shorter_than_the_minimum_is_refused():
    question = QuestionFactory()
    with pytest.raises(ValidationError, match="at least"):
        share(sharer(question.condition), question, body="Too short.")
    assert not Experience.objects.exists()


def test_a_question_of_another_condition_is_refused():
    author = sharer(QuestionFactory().condition)
    condition = author.member_conditions.get().condition
    with pytest.raises(ValidationError):
        services.submit_experience(
            author=author, condition=condition, question=QuestionFactory(), body=BODY
        )
    assert not Experience.objects.exists()


def test_treatments_of_another_condition_are_refused():
    question = QuestionFactory()
    with pytest.raises(ValidationError):
        share(sharer(question.condition), question, treatments=[TreatmentFactory()])
    assert not Experience.objects.exists()


# --- Trust --------------------------------------------------------------------------------------


def test_a_member_is_trusted_after_three_approved_posts_and_then_posts_appear_at_once(moderator):
    question = QuestionFactory()
    author = sharer(question.condition)
    approved_posts(author, question, 2, moderator)
    assert share(author, question).status == Experience.Status.PENDING
    services.approve_experience(
        experience=Experience.objects.filter(status="pending").get(), moderator=moderator
    )
    assert services.is_trusted(author)
    fourth = share(author, question)
    assert fourth.status == Experience.Status.APPROVED
    assert fourth.decisions.get().action == Action.PUBLISH_TRUSTED


def test_the_trust_threshold_is_a_setting(moderator, settings):
    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 1
    question = QuestionFactory()
    author = sharer(question.condition)
    approved_posts(author, question, 1, moderator)
    assert share(author, question).status == Experience.Status.APPROVED


def test_a_rejection_revokes_trust_until_new_posts_are_approved(moderator):
    question = QuestionFactory()
    author = sharer(question.condition)
    approved_posts(author, question, 3, moderator)
    post = share(author, question)
    services.reject_experience(
        experience=post, moderator=moderator, guideline=Guideline.NO_PROMOTION
    )
    assert not services.is_trusted(author)
    assert share(author, question).status == Experience.Status.PENDING


# --- Editing and deleting -----------------------------------------------------------------------


def test_an_untrusted_authors_edit_of_an_approved_post_waits_and_readers_keep_the_old_text(
    moderator,
):
    question = QuestionFactory()
    author = sharer(question.condition)
    post = share(author, question)
    services.approve_experience(experience=post, moderator=moderator)
    services.edit_experience(
        experience=post,
        editor=author,
        body="A new text that a moderator has not read yet.",
        audience=post.audience,
    )
    post.refresh_from_db()
    assert post.has_pending_edit
    assert "after a long wait" in post.body_html
    assert list(Experience.objects.visible()) == [post]
    assert list(Experience.objects.needing_moderation()) == [post]

    services.approve_experience(experience=post, moderator=moderator)
    post.refresh_from_db()
    assert not post.has_pending_edit
    assert "has not read yet" in post.body_html
    assert post.decisions.filter(action=Action.APPROVE_EDIT).exists()


def test_a_trusted_authors_edit_applies_at_once(moderator, settings):
    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 1
    question = QuestionFactory()
    author = sharer(question.condition)
    post = share(author, question)
    services.approve_experience(experience=post, moderator=moderator)
    services.edit_experience(
        experience=post, editor=author, body="Changed by a trusted author.", audience="everyone"
    )
    post.refresh_from_db()
    assert not post.has_pending_edit
    assert "trusted author" in post.body_html


def test_a_rejected_edit_keeps_the_approved_text_and_tells_the_author(
    moderator, django_capture_on_commit_callbacks
):
    question = QuestionFactory()
    author = sharer(question.condition)
    post = share(author, question)
    services.approve_experience(experience=post, moderator=moderator)
    services.edit_experience(
        experience=post, editor=author, body="Buy my cure at the shop.", audience="everyone"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_edit(experience=post, moderator=moderator, guideline=Guideline.NO_PROMOTION)
    post.refresh_from_db()
    assert not post.has_pending_edit
    assert "after a long wait" in post.body_html
    assert len(mail.outbox) == 1


def test_editing_a_rejected_post_sends_it_back_to_the_moderators(moderator):
    question = QuestionFactory()
    author = sharer(question.condition)
    post = share(author, question)
    services.reject_experience(experience=post, moderator=moderator, guideline=Guideline.RESPECT)
    services.edit_experience(
        experience=post, editor=author, body="A kinder version of my post.", audience="everyone"
    )
    post.refresh_from_db()
    assert post.status == Experience.Status.PENDING


def test_only_the_author_can_edit_or_delete_a_post(member):
    post = ExperienceFactory()
    with pytest.raises(PermissionDenied):
        services.edit_experience(experience=post, editor=member, body=BODY, audience="everyone")
    with pytest.raises(PermissionDenied):
        services.delete_experience(experience=post, actor=member)
    assert Experience.objects.filter(pk=post.pk).exists()


def test_deleting_a_post_takes_its_reactions_and_keeps_the_record_of_decisions(member):
    post = ExperienceFactory()
    services.toggle_helpful(experience=post, user=member)
    ModerationDecision.objects.create(action=Action.APPROVE, experience=post, member=post.author)
    services.delete_experience(experience=post, actor=post.author)
    assert not Reaction.objects.exists()
    assert ModerationDecision.objects.get().experience is None


# --- Reactions ----------------------------------------------------------------------------------


def test_this_helped_me_toggles_and_the_count_follows(member):
    post = ExperienceFactory()
    assert services.toggle_helpful(experience=post, user=member) is True
    post.refresh_from_db()
    assert post.helpful_count == 1
    assert services.toggle_helpful(experience=post, user=member) is False
    post.refresh_from_db()
    assert post.helpful_count == 0
    assert not Reaction.objects.exists()


def test_an_author_cannot_find_their_own_post_helpful():
    post = ExperienceFactory()
    with pytest.raises(ValidationError):
        services.toggle_helpful(experience=post, user=post.author)


def test_a_post_waiting_for_moderation_cannot_be_marked_helpful(member):
    post = ExperienceFactory(status=Experience.Status.PENDING, approved_at=None)
    with pytest.raises(ValidationError):
        services.toggle_helpful(experience=post, user=member)


# --- Reports ------------------------------------------------------------------------------------


def test_three_open_reports_from_different_members_hide_a_post():
    post = ExperienceFactory()
    for reporter in MemberFactory.create_batch(2):
        services.report_experience(experience=post, reporter=reporter, reason="disrespect")
    post.refresh_from_db()
    assert not post.is_hidden
    services.report_experience(experience=post, reporter=MemberFactory(), reason="promotion")
    post.refresh_from_db()
    assert post.is_hidden
    assert not Experience.objects.visible().exists()
    hide = post.decisions.get()
    assert hide.action == Action.HIDE
    assert hide.moderator is None


def test_the_same_member_cannot_report_a_post_twice(member):
    post = ExperienceFactory()
    services.report_experience(experience=post, reporter=member, reason="other")
    with pytest.raises(ValidationError, match="already reported"):
        services.report_experience(experience=post, reporter=member, reason="other")
    assert Report.objects.count() == 1


def test_the_report_threshold_is_a_setting(settings):
    settings.DISEASEMAPS_EXPERIENCES_HIDE_AFTER_REPORTS = 1
    post = ExperienceFactory()
    services.report_experience(experience=post, reporter=MemberFactory(), reason="other")
    post.refresh_from_db()
    assert post.is_hidden


def test_a_moderator_keeps_a_hidden_post_and_its_reports_are_resolved(moderator):
    post = ExperienceFactory()
    for reporter in MemberFactory.create_batch(3):
        services.report_experience(experience=post, reporter=reporter, reason="other")
    services.approve_experience(experience=post, moderator=moderator, reason="Within the rules.")
    post.refresh_from_db()
    assert not post.is_hidden
    assert not Report.objects.open().exists()
    assert post.decisions.filter(action=Action.KEEP, moderator=moderator).exists()


def test_reports_where_someone_may_be_at_risk_come_first_in_the_queue():
    first, second = ExperienceFactory(), ExperienceFactory()
    services.report_experience(experience=first, reporter=MemberFactory(), reason="promotion")
    at_risk = services.report_experience(
        experience=second, reporter=MemberFactory(), reason=Report.Reason.AT_RISK
    )
    assert list(Report.objects.queue_order())[0] == at_risk


# --- Moderation ---------------------------------------------------------------------------------


def test_a_moderator_approves_a_waiting_post_and_the_author_is_told_discreetly(
    moderator, django_capture_on_commit_callbacks
):
    question = QuestionFactory(condition__name="Very Rare Syndrome")
    author = sharer(question.condition)
    experience = share(author, question)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_experience(experience=experience, moderator=moderator)
    assert list(Experience.objects.visible()) == [experience]
    decision = experience.decisions.get()
    assert (decision.action, decision.moderator) == (Action.APPROVE, moderator)
    (message,) = mail.outbox
    assert message.to == [author.email]
    assert "Very Rare Syndrome" not in message.subject
    assert experience.get_absolute_url() in message.body


def test_an_approval_of_text_the_author_changed_since_the_moderator_read_it_is_refused(
    moderator,
):
    question = QuestionFactory()
    author = sharer(question.condition)
    experience = share(author, question)
    read = experience.text_fingerprint
    services.edit_experience(
        experience=experience,
        editor=author,
        body=BODY + " And one more thing.",
        audience="everyone",
    )
    with pytest.raises(ValidationError, match="changed this post after you opened it"):
        services.approve_experience(
            experience=experience, moderator=moderator, expected_fingerprint=read
        )
    experience.refresh_from_db()
    assert experience.status == Experience.Status.PENDING
    assert not experience.decisions.exists()
    services.approve_experience(
        experience=experience,
        moderator=moderator,
        expected_fingerprint=experience.text_fingerprint,
    )
    assert list(Experience.objects.visible()) == [experience]


def test_the_fingerprint_of_an_approved_post_with_an_edit_waiting_is_the_edits(moderator):
    post = ExperienceFactory(body="The approved text.")
    approved_text = post.text_fingerprint
    post.set_pending_body("The edit that waits.")
    post.save()
    assert post.text_fingerprint != approved_text
    with pytest.raises(ValidationError, match="changed this post"):
        services.approve_experience(
            experience=post, moderator=moderator, expected_fingerprint=approved_text
        )
    services.approve_experience(
        experience=post, moderator=moderator, expected_fingerprint=post.text_fingerprint
    )
    post.refresh_from_db()
    assert post.body == "The edit that waits."


@pytest.mark.parametrize(
    ("status", "has_pending_edit", "is_hidden", "has_open_reports", "action"),
    [
        (Experience.Status.PENDING, False, False, False, Action.APPROVE),
        (Experience.Status.APPROVED, True, False, True, Action.APPROVE_EDIT),
        (Experience.Status.APPROVED, False, False, True, Action.KEEP),
        (Experience.Status.APPROVED, False, True, False, Action.KEEP),
        (Experience.Status.APPROVED, False, False, False, None),
        (Experience.Status.REJECTED, False, False, False, None),
    ],
)
def test_what_an_approval_would_do(status, has_pending_edit, is_hidden, has_open_reports, action):
    post = Experience(status=status, has_pending_edit=has_pending_edit, is_hidden=is_hidden)
    assert post.approval_action(has_open_reports=has_open_reports) == action


def test_a_rejection_names_the_guideline_is_recorded_and_mailed(
    moderator, django_capture_on_commit_callbacks
):
    question = QuestionFactory()
    experience = share(sharer(question.condition), question)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_experience(
            experience=experience,
            moderator=moderator,
            guideline=Guideline.PERSONAL_DATA,
            reason="Please remove the phone number.",
        )
    experience.refresh_from_db()
    assert experience.status == Experience.Status.REJECTED
    decision = experience.decisions.get()
    assert (decision.guideline, decision.reason) == (
        Guideline.PERSONAL_DATA,
        "Please remove the phone number.",
    )
    assert "Keep personal details private" in mail.outbox[0].body


def test_a_rejection_needs_a_guideline(moderator):
    experience = ExperienceFactory()
    with pytest.raises(ValidationError):
        services.reject_experience(experience=experience, moderator=moderator, guideline="")


def test_only_a_moderator_can_approve_reject_or_note(editor):
    experience = ExperienceFactory(status=Experience.Status.PENDING, approved_at=None)
    with pytest.raises(PermissionDenied):
        services.approve_experience(experience=experience, moderator=editor)
    with pytest.raises(PermissionDenied):
        services.reject_experience(
            experience=experience, moderator=editor, guideline=Guideline.RESPECT
        )
    with pytest.raises(PermissionDenied):
        services.set_moderator_note(experience=experience, moderator=editor, note="Hm.")
    assert not Experience.objects.visible().exists()
    assert not ModerationDecision.objects.exists()


def test_approving_a_post_with_nothing_waiting_is_refused(moderator):
    with pytest.raises(ValidationError, match="Nothing"):
        services.approve_experience(experience=ExperienceFactory(), moderator=moderator)


def test_a_moderator_note_is_shown_with_the_post_and_recorded(moderator):
    experience = ExperienceFactory()
    services.set_moderator_note(
        experience=experience, moderator=moderator, note="See the reviewed answer above."
    )
    experience.refresh_from_db()
    assert experience.moderator_note == "See the reviewed answer above."
    assert experience.decisions.get().action == Action.NOTE


def test_a_moderator_suspends_and_reinstates_a_member_with_a_record(moderator, member):
    services.suspend_member(member=member, moderator=moderator, reason="Repeated spam.")
    assert services.is_suspended(member)
    with pytest.raises(PermissionDenied):
        services.toggle_helpful(experience=ExperienceFactory(), user=member)
    services.reinstate_member(member=member, moderator=moderator)
    assert not services.is_suspended(member)
    assert list(
        ModerationDecision.objects.filter(member=member).values_list("action", flat=True)
    ) == [Action.REINSTATE, Action.SUSPEND]
    assert MemberStanding.objects.get(user=member).trust_revoked_at is not None


def test_a_suspension_needs_a_reason(moderator, member):
    with pytest.raises(ValidationError):
        services.suspend_member(member=member, moderator=moderator, reason=" ")


def test_moderators_are_alerted_at_once_when_someone_may_be_at_risk(
    moderator, editor, django_capture_on_commit_callbacks
):
    post = ExperienceFactory(question=QuestionFactory(condition__name="Very Rare Syndrome"))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_experience(experience=post, reporter=MemberFactory(), reason="other")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.report_experience(
            experience=post, reporter=MemberFactory(), reason=Report.Reason.AT_RISK
        )
    (message,) = mail.outbox
    assert message.to == [moderator.email]
    assert "Very Rare Syndrome" not in message.subject + message.body
    assert f"/admin/experiences/experience/{post.pk}/change/" in message.body
