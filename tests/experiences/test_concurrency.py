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
