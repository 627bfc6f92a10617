"""Following, and who each event notifies (run at once: the tests' queue is immediate)."""

import pytest
from django.db import IntegrityError, transaction

from diseasemaps.answers import services as answer_services
from diseasemaps.answers.models import AnswerRevision
from diseasemaps.community import services
from diseasemaps.community.models import Follow, Frequency, Kind, Notification
from diseasemaps.experiences import services as experience_services
from diseasemaps.experiences.models import Experience, Reply
from diseasemaps.experiences.signals import reply_published
from tests.community.helpers import followers, notified, reply_row
from tests.experiences.test_services import share, sharer
from tests.factories import (
    ConditionFactory,
    ExperienceFactory,
    MemberFactory,
    QuestionFactory,
    published_question,
)

pytestmark = pytest.mark.django_db


# --- Following ----------------------------------------------------------------------------------


def test_following_twice_keeps_one_row_and_unfollowing_twice_is_harmless(member):
    condition = ConditionFactory()
    services.follow(user=member, condition=condition)
    services.follow(user=member, condition=condition)
    assert Follow.objects.filter(user=member).count() == 1
    assert services.is_following(user=member, condition=condition)
    services.unfollow(user=member, condition=condition)
    services.unfollow(user=member, condition=condition)
    assert not services.is_following(user=member, condition=condition)


def test_a_follow_names_one_condition_or_one_question(member):
    question = QuestionFactory()
    with pytest.raises(ValueError, match="not both"):
        services.follow(user=member, condition=question.condition, question=question)
    with pytest.raises(ValueError, match="not both"):
        services.follow(user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=member, condition=question.condition, question=question)


def test_what_a_member_follows_is_theirs_only(member):
    condition = ConditionFactory()
    other = MemberFactory()
    services.follow(user=other, condition=condition)
    assert services.follows_of(member) == []
    assert not services.is_following(user=member, condition=condition)
    assert [f.condition for f in services.follows_of(other)] == [condition]


# --- A new post ---------------------------------------------------------------------------------


def approve(post, moderator, capture):
    with capture(execute=True):
        experience_services.approve_experience(experience=post, moderator=moderator)


def test_an_approved_post_notifies_the_followers_of_its_question_and_condition_not_its_author(
    moderator, django_capture_on_commit_callbacks
):
    question = published_question()
    condition = question.condition
    on_condition = followers(2, condition=condition)
    on_question = followers(2, question=question)
    both = followers(1, condition=condition)[0]
    services.follow(user=both, question=question)
    elsewhere = followers(1, condition=ConditionFactory())
    author = sharer(condition)
    services.follow(user=author, condition=condition)
    post = share(author, question)
    assert not Notification.objects.exists()  # not before a moderator approves it

    approve(post, moderator, django_capture_on_commit_callbacks)

    expected = {m.pk for m in on_condition + on_question + [both]}
    assert notified(event=f"experience:{post.pk}") == expected
    assert author.pk not in notified()
    assert elsewhere[0].pk not in notified()
    assert Notification.objects.filter(user=both).count() == 1  # once, though two follows
    row = Notification.objects.filter(user=on_question[0]).get()
    assert row.kind == Kind.NEW_EXPERIENCE
    assert row.url == post.get_absolute_url()
    assert question.title in row.text
    assert row.read_at is None
    assert row.email_due == Frequency.DAILY  # the default for new posts


def test_a_members_only_post_is_notified_too(moderator, django_capture_on_commit_callbacks):
    question = published_question()
    follower = followers(1, condition=question.condition)[0]
    post = share(sharer(question.condition), question, audience=Experience.Audience.MEMBERS)
    approve(post, moderator, django_capture_on_commit_callbacks)
    assert notified() == {follower.pk}


def test_a_rejected_post_notifies_nobody(moderator, django_capture_on_commit_callbacks):
    question = published_question()
    followers(1, condition=question.condition)
    post = share(sharer(question.condition), question)
    with django_capture_on_commit_callbacks(execute=True):
        experience_services.reject_experience(
            experience=post, moderator=moderator, guideline="no_medical_advice"
        )
    assert not Notification.objects.exists()


def test_a_post_approved_in_a_transaction_that_rolls_back_notifies_nobody(
    moderator, django_capture_on_commit_callbacks
):
    question = published_question()
    followers(1, condition=question.condition)
    post = share(sharer(question.condition), question)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                experience_services.approve_experience(experience=post, moderator=moderator)
                raise RuntimeError("later work fails")
        except RuntimeError:
            pass
    assert not Notification.objects.exists()


def test_a_fan_out_that_runs_again_adds_nothing(moderator, django_capture_on_commit_callbacks):
    from diseasemaps.community.notify import notify_new_experience

    question = published_question()
    followers(3, condition=question.condition)
    post = share(sharer(question.condition), question)
    approve(post, moderator, django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 3
    assert notify_new_experience(experience_id=post.pk) == 0
    assert Notification.objects.count() == 3


def test_the_fan_out_walks_the_followers_in_batches(settings, django_assert_max_num_queries):
    from diseasemaps.community import notify

    settings.DISEASEMAPS_NOTIFY_BATCH_SIZE = 4
    question = published_question()
    members = followers(10, condition=question.condition)
    post = ExperienceFactory(question=question)
    batches = list(notify.member_batches(Follow.objects.filter(condition=question.condition)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(sum(batches, [])) == sorted(m.pk for m in members)
    assert notify.notify_new_experience(experience_id=post.pk) == 10


# --- Replies ----------------------------------------------------------------------------------


def test_a_reply_notifies_the_posts_author_and_the_author_it_answers_never_itself(
    django_capture_on_commit_callbacks,
):
    post = ExperienceFactory()
    answered, replier = MemberFactory(), MemberFactory()
    parent = reply_row(experience=post, author=answered)
    reply = reply_row(experience=post, author=replier, in_reply_to=parent)
    with django_capture_on_commit_callbacks(execute=True):
        reply_published.send(sender=Reply, reply=reply)
    rows = {n.user_id: n for n in Notification.objects.filter(event=f"reply:{reply.pk}")}
    assert set(rows) == {post.author_id, answered.pk}
    assert rows[post.author_id].text == "Someone replied to your post"
    assert rows[answered.pk].text == "Someone replied to your reply"
    assert all(n.kind == Kind.REPLY and n.url == reply.get_absolute_url() for n in rows.values())


def test_replying_to_oneself_notifies_nobody_and_the_post_author_once(
    django_capture_on_commit_callbacks,
):
    post = ExperienceFactory()
    own = reply_row(experience=post, author=post.author)
    other = MemberFactory()
    theirs = reply_row(experience=post, author=other)
    answering_author = reply_row(
        experience=post,
        author=other,
        in_reply_to=reply_row(experience=post, author=post.author),
    )
    with django_capture_on_commit_callbacks(execute=True):
        for reply in (own, theirs, answering_author):
            reply_published.send(sender=Reply, reply=reply)
    assert not Notification.objects.filter(event=f"reply:{own.pk}").exists()
    assert notified(event=f"reply:{theirs.pk}") == {post.author_id}
    assert Notification.objects.filter(event=f"reply:{answering_author.pk}").count() == 1


def test_a_reply_by_a_former_member_to_a_kept_post_notifies_nobody(
    django_capture_on_commit_callbacks,
):
    post = ExperienceFactory(author=None)
    reply = reply_row(experience=post, author=None)
    with django_capture_on_commit_callbacks(execute=True):
        reply_published.send(sender=Reply, reply=reply)
    assert not Notification.objects.exists()


def test_a_moderator_approving_a_reply_notifies_the_posts_author(
    moderator, django_capture_on_commit_callbacks
):
    question = QuestionFactory()
    post = ExperienceFactory(question=question)
    replier = sharer(question.condition)
    reply = experience_services.submit_reply(
        experience=post, author=replier, body="Which centre did your Mohs surgery, if I may ask?"
    )
    assert not Notification.objects.exists()  # waiting for a moderator: nobody is told yet
    with django_capture_on_commit_callbacks(execute=True):
        experience_services.approve_reply(reply=reply, moderator=moderator)
    assert notified(kind=Kind.REPLY) == {post.author_id}


# --- Reviews and members' questions -------------------------------------------------------------


def test_a_full_review_notifies_the_questions_followers_with_what_changed(
    editor, reviewer, django_capture_on_commit_callbacks
):
    question = published_question()
    on_question = followers(2, question=question)
    followers(1, condition=question.condition)  # the condition's followers are not told
    draft = answer_services.create_draft(
        question=question,
        author=editor,
        short_answer="Short.",
        body="Body.",
        change_summary="Added the 2026 guideline on imaging.",
    )
    answer_services.submit_for_review(revision=draft, actor=editor)
    with django_capture_on_commit_callbacks(execute=True):
        answer_services.approve_revision(revision=draft, reviewer=reviewer)
    assert notified(kind=Kind.ANSWER_REVIEWED) == {m.pk for m in on_question}
    row = Notification.objects.filter(kind=Kind.ANSWER_REVIEWED).first()
    assert row.detail == "What changed: Added the 2026 guideline on imaging."
    assert row.email_due == ""
    assert row.emailed_at is not None


def test_an_editorial_change_notifies_nobody(editor, reviewer, django_capture_on_commit_callbacks):
    question = published_question()
    followers(1, question=question)
    draft = answer_services.create_draft(
        question=question, author=editor, short_answer="S.", body="B.", change_summary="Typo."
    )
    answer_services.submit_for_review(revision=draft, actor=editor)
    with django_capture_on_commit_callbacks(execute=True):
        answer_services.approve_revision(
            revision=draft, reviewer=reviewer, review_kind=AnswerRevision.ReviewKind.EDITORIAL
        )
    assert not Notification.objects.exists()


def test_answered_suggestions_notify_the_askers_and_the_conditions_followers_once_each(
    editor, reviewer, django_capture_on_commit_callbacks
):
    question = QuestionFactory()  # no reviewed answer yet
    condition = question.condition
    asker, asker_who_follows, departed = MemberFactory.create_batch(3)
    services.follow(user=asker_who_follows, condition=condition)
    on_condition = followers(2, condition=condition)
    asked = [
        answer_services.suggest_question(
            member=member, condition=condition, text=f"Can DFSP come back after surgery? ({n})"
        )
        for n, member in enumerate([asker, asker_who_follows, departed, asker])
    ]
    answer_services.merge_suggestions(suggestions=asked[3:], into=asked[0], editor=editor)
    answer_services.link_suggestions(suggestions=asked[:3], question=question, editor=editor)
    departed.delete()  # a suggestion whose member has left
    assert not Notification.objects.exists()
    draft = answer_services.create_draft(
        question=question, author=editor, short_answer="S.", body="B.", change_summary="First."
    )
    answer_services.submit_for_review(revision=draft, actor=editor)
    with django_capture_on_commit_callbacks(execute=True):
        answer_services.approve_revision(revision=draft, reviewer=reviewer)
    assert notified(kind=Kind.SUGGESTION_ANSWERED) == {asker.pk, asker_who_follows.pk}
    assert notified(kind=Kind.NEW_ANSWER) == {m.pk for m in on_condition}
    assert Notification.objects.filter(kind=Kind.SUGGESTION_ANSWERED, user=asker).count() == 1


def test_a_deactivated_follower_is_not_notified():
    question = published_question()
    gone = followers(1, condition=question.condition)[0]
    gone.is_active = False
    gone.save()
    from diseasemaps.community.notify import notify_new_experience

    assert notify_new_experience(experience_id=ExperienceFactory(question=question).pk) == 0
