"""
Counts stay right when members act at the same moment: threads with their own database
connections, released together at a barrier, then every figure compared with a fresh count.
"""

import threading

import pytest
from django.db import connection

from diseasemaps.experiences import services
from diseasemaps.experiences.models import Experience, ModerationDecision, Reaction, Report
from tests.factories import ExperienceFactory, MemberConditionFactory, published_question

# PostgreSQL only: SQLite lets one writer at a time hold the whole database (and ignores
# SELECT ... FOR UPDATE), so the races this test provokes cannot happen there.
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 8


def run_together(work, arguments) -> list[BaseException]:
    """Run work(argument) in one thread per argument, all released at once; return errors."""
    barrier = threading.Barrier(len(arguments))
    errors: list[BaseException] = []

    def target(argument):
        try:
            barrier.wait(timeout=30)
            work(argument)
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_members_reacting_reporting_and_sharing_at_once_leave_every_count_right():
    question = published_question()
    post = ExperienceFactory(question=question)
    members = [MemberConditionFactory(condition=question.condition).user for _ in range(THREADS)]

    # One barrier per kind of action: a post hidden by reports can no longer be marked helpful.
    def react(member):
        services.toggle_helpful(experience=post, user=member)

    def report(member):
        services.report_experience(experience=post, reporter=member, reason="other")

    def share(member):
        services.submit_experience(
            author=member,
            condition=question.condition,
            question=question,
            body=f"My own experience, told by member {member.pk}.",
        )

    for work in (react, report, share):
        assert run_together(work, members) == [], work.__name__

    post.refresh_from_db()
    assert post.helpful_count == Reaction.objects.filter(experience=post).count() == THREADS
    assert Report.objects.open().filter(experience=post).count() == THREADS
    assert post.is_hidden
    hidden = ModerationDecision.objects.filter(
        experience=post, action=ModerationDecision.Action.HIDE
    )
    assert hidden.count() == 1
    shared = Experience.objects.filter(question=question).exclude(pk=post.pk)
    assert shared.count() == THREADS
    assert shared.people_count().living_with == len({e.author_id for e in shared})


def test_a_double_click_on_this_helped_me_leaves_the_count_equal_to_the_reactions():
    post = ExperienceFactory()
    member = MemberConditionFactory(condition=post.condition).user

    errors = run_together(lambda _: services.toggle_helpful(experience=post, user=member), [1, 2])

    assert errors == []
    post.refresh_from_db()
    # Two toggles in turn: on, then off.
    assert post.helpful_count == Reaction.objects.filter(experience=post).count() == 0


def test_stored_figures_stay_exact_when_members_share_join_leave_and_are_moderated_at_once(
    settings,
):
    """
    Each writer recounts under the row lock of the question (or condition): without the lock,
    two writers counting at the same moment would each miss the other's row.
    """
    from diseasemaps.answers.models import Question
    from diseasemaps.conditions.models import Condition
    from diseasemaps.core.services import Role
    from diseasemaps.members import services as member_services
    from diseasemaps.members.models import MemberCondition
    from tests.factories import MemberFactory, StaffFactory

    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 0  # every post is published at once
    question = published_question()
    condition = question.condition
    sharers = [MemberConditionFactory(condition=condition).user for _ in range(THREADS)]
    joiners = [MemberFactory() for _ in range(THREADS)]
    moderators = [StaffFactory(roles=[Role.MODERATOR]) for _ in range(THREADS)]

    def share(member):
        services.submit_experience(
            author=member,
            condition=condition,
            question=question,
            body=f"My own experience, told by member {member.pk}.",
        )

    def join(member):
        member_services.add_condition(
            user=member,
            condition=condition,
            relationship=MemberCondition.Relationship.LIVING_WITH,
            diagnosed_in=None,
            visibility=MemberCondition.Visibility.ONLY_ME,
            is_counted=True,
            consent=True,
        )

    def reject(pair):
        post, moderator = pair
        services.reject_experience(experience=post, moderator=moderator, guideline="respect")

    def leave(member):
        member_services.erase_account(user=member, keep_posts=False)

    def expected() -> tuple[tuple, int]:
        visible = Experience.objects.visible().filter(question=question)
        people = visible.people_count()
        return (visible.count(), people.living_with), MemberCondition.objects.community_size(
            condition
        )

    def stored() -> tuple[tuple, int]:
        question_row = Question.objects.get(pk=question.pk)
        return (
            (question_row.visible_experience_count, question_row.people_living_with),
            Condition.objects.get(pk=condition.pk).member_count,
        )

    assert run_together(share, sharers) == []
    assert run_together(join, joiners) == []
    assert stored() == expected() == ((THREADS, THREADS), 2 * THREADS)

    half = THREADS // 2
    posts = [Experience.objects.get(author=member) for member in sharers[:half]]
    assert run_together(reject, list(zip(posts, moderators, strict=False))) == []
    assert run_together(leave, sharers[half:] + joiners[:half]) == []
    assert stored() == expected() == ((0, 0), THREADS)
