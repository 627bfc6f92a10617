"""
The stored figures (each question's visible posts and the people behind them, each condition's
community) stay equal to a fresh COUNT whatever members, moderators and erasures do, in any
order; `manage.py recount` puts back any that went wrong; an editor's stale form cannot put an
old figure back; and the pages that show a figure are refreshed when it changes.
"""

import contextlib
import io
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from diseasemaps.answers.models import Question
from diseasemaps.conditions.models import Condition
from diseasemaps.core.services import Role
from diseasemaps.experiences import services
from diseasemaps.experiences.figures import refresh_question_figures
from diseasemaps.experiences.models import Experience
from diseasemaps.members import services as member_services
from diseasemaps.members.models import MemberCondition, User
from tests.factories import (
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    StaffFactory,
    published_question,
)

pytestmark = pytest.mark.django_db

LIVING_WITH = MemberCondition.Relationship.LIVING_WITH
CARING_FOR = MemberCondition.Relationship.CARING_FOR


def assert_figures_match_the_rows(questions=None) -> None:
    """Every stored figure (or those of `questions`) against COUNT over the rows behind it."""
    questions = Question.objects.filter(pk__in=[q.pk for q in questions or Question.objects.all()])
    for question in questions.select_related("condition"):
        visible = Experience.objects.visible().filter(question=question)
        people = visible.people_count()
        assert (
            question.visible_experience_count,
            question.people_living_with,
            question.people_caring_for,
            question.unattributed_experience_count,
        ) == (visible.count(), people.living_with, people.caring_for, people.unattributed_posts), (
            question.pk
        )
    for condition in {question.condition for question in questions}:
        assert condition.member_count == MemberCondition.objects.community_size(condition), (
            condition.pk
        )


# --- a random sequence of operations through the real services -----------------------------


@dataclass
class World:
    moderator: User
    questions: list[Question]
    members: list[User] = field(default_factory=list)

    @property
    def conditions(self) -> list[Condition]:
        return list(dict.fromkeys(question.condition for question in self.questions))

    def member(self, n: int) -> User | None:
        return pick(User.objects.filter(pk__in=[m.pk for m in self.members]), n)

    def post(self, n: int, **filters) -> Experience | None:
        return pick(Experience.objects.filter(condition__in=self.conditions, **filters), n)

    def member_condition(self, n: int) -> MemberCondition | None:
        return pick(MemberCondition.objects.filter(condition__in=self.conditions), n)


def pick(rows, n: int):
    """The n-th row, round and round; None when there is none (the step then does nothing)."""
    rows = list(rows.order_by("pk"))
    return rows[n % len(rows)] if rows else None


def join(world: World, n: int) -> None:
    member = MemberFactory()
    world.members.append(member)
    add_condition(world, n, member=member)


def add_condition(world: World, n: int, member: User | None = None) -> None:
    member = member or world.member(n)
    if member is None:
        return
    conditions = world.conditions
    member_services.add_condition(
        user=member,
        condition=conditions[n % len(conditions)],
        relationship=CARING_FOR if n % 3 == 0 else LIVING_WITH,
        diagnosed_in=None,
        visibility=MemberCondition.Visibility.ONLY_ME,
        is_counted=n % 4 != 0,
        consent=True,
    )


def change_condition(world: World, n: int) -> None:
    row = world.member_condition(n)
    if row is None:
        return
    member_services.update_condition(
        member_condition=row,
        relationship=CARING_FOR if n % 2 else LIVING_WITH,
        diagnosed_in=None,
        visibility=MemberCondition.Visibility.EVERYONE,
        is_counted=not row.is_counted,
    )


def withdraw_condition(world: World, n: int) -> None:
    row = world.member_condition(n)
    if row is not None:
        member_services.withdraw_condition(member_condition=row)


def share(world: World, n: int) -> None:
    row = world.member_condition(n)
    if row is None:
        return
    questions = [q for q in world.questions if q.condition_id == row.condition_id]
    services.submit_experience(
        author=row.user,
        condition=row.condition,
        question=questions[n % len(questions)] if n % 5 else None,
        audience=Experience.Audience.MEMBERS if n % 2 else Experience.Audience.EVERYONE,
        body=f"What happened to me, told for the {n}th time.",
    )


def approve(world: World, n: int) -> None:
    post = world.post(n, status=Experience.Status.PENDING) or world.post(n, is_hidden=True)
    if post is None:
        return
    services.approve_experience(experience=post, moderator=world.moderator)


def reject(world: World, n: int) -> None:
    post = world.post(n, status__in=[Experience.Status.PENDING, Experience.Status.APPROVED])
    if post is None:
        return
    services.reject_experience(experience=post, moderator=world.moderator, guideline="respect")


def report(world: World, n: int) -> None:
    post = world.post(n, status=Experience.Status.APPROVED, is_hidden=False)
    reporter = world.member(n)
    if post is None or reporter is None:
        return
    services.report_experience(experience=post, reporter=reporter, reason="other")


def edit(world: World, n: int) -> None:
    post = world.post(n, author__isnull=False)
    if post is None:
        return
    services.edit_experience(
        experience=post,
        editor=post.author,
        body=f"What happened to me, told again, differently ({n}).",
        audience=Experience.Audience.EVERYONE if n % 2 else Experience.Audience.MEMBERS,
    )


def delete(world: World, n: int) -> None:
    post = world.post(n, author__isnull=False)
    if post is None:
        return
    services.delete_experience(experience=post, actor=post.author)


def erase(world: World, n: int) -> None:
    member = world.member(n)
    if member is not None:
        member_services.erase_account(user=member, keep_posts=n % 2 == 0)


def deactivate_or_activate(world: World, n: int) -> None:
    member = world.member(n)
    if member is None:
        return
    member.is_active = not member.is_active
    member_services.save_account(user=member)


OPERATIONS = [
    join,
    add_condition,
    change_condition,
    withdraw_condition,
    share,
    share,
    approve,
    approve,
    reject,
    report,
    edit,
    delete,
    erase,
    deactivate_or_activate,
]


@hypothesis_settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(min_value=0, max_value=1000)),
        min_size=1,
        max_size=25,
    )
)
def test_the_stored_figures_equal_a_fresh_count_after_any_sequence_of_operations(steps, settings):
    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 2
    settings.DISEASEMAPS_EXPERIENCES_HIDE_AFTER_REPORTS = 2
    first = published_question()
    world = World(
        moderator=StaffFactory(roles=[Role.MODERATOR]),
        questions=[
            first,
            published_question(condition=first.condition),
            published_question(),
        ],
    )
    for n in range(3):
        join(world, n + 1)
    assert_figures_match_the_rows(world.questions)
    for operation, n in steps:
        # Refused in this state (a duplicate, one's own post, an inactive account): no change.
        with contextlib.suppress(ValidationError, PermissionDenied):
            operation(world, n)
        assert_figures_match_the_rows(world.questions)


# --- each way figures change, by name ------------------------------------------------------


def test_a_trusted_members_post_counts_at_once_and_a_waiting_one_only_once_approved(
    settings, moderator
):
    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 1
    question = published_question()
    author = MemberConditionFactory(condition=question.condition).user
    body = "The first thing I shared, long enough to be kept."
    waiting = services.submit_experience(
        author=author, condition=question.condition, question=question, body=body
    )
    question.refresh_from_db()
    assert question.visible_experience_count == 0
    services.approve_experience(experience=waiting, moderator=moderator)
    question.refresh_from_db()
    assert (question.visible_experience_count, question.people_living_with) == (1, 1)
    services.submit_experience(
        author=author, condition=question.condition, question=question, body=body + " Again."
    )
    question.refresh_from_db()
    assert (question.visible_experience_count, question.people_living_with) == (2, 1)


def test_posts_kept_at_erasure_still_count_as_one_person_and_deleted_ones_go():
    question = published_question()
    kept_by = MemberFactory()
    ExperienceFactory.create_batch(2, question=question, author=kept_by)
    deleted_by = MemberFactory()
    ExperienceFactory(question=question, author=deleted_by)
    member_services.erase_account(user=kept_by, keep_posts=True)
    member_services.erase_account(user=deleted_by, keep_posts=False)
    question.refresh_from_db()
    assert (question.visible_experience_count, question.people_living_with) == (2, 1)
    assert_figures_match_the_rows()


def test_a_member_leaving_or_deactivated_leaves_the_community_figure():
    row = MemberConditionFactory()
    other = MemberConditionFactory(condition=row.condition)
    assert Condition.objects.get(pk=row.condition_id).member_count == 2
    other.user.is_active = False
    member_services.save_account(user=other.user)
    assert Condition.objects.get(pk=row.condition_id).member_count == 1
    member_services.erase_account(user=row.user, keep_posts=False)
    assert Condition.objects.get(pk=row.condition_id).member_count == 0


def test_the_admin_deactivating_an_account_takes_it_out_of_the_figure(rf):
    from django.contrib.admin.sites import site

    from diseasemaps.members.admin import UserAdmin

    row = MemberConditionFactory()
    row.user.is_active = False
    UserAdmin(User, site).save_model(rf.post("/"), row.user, form=None, change=True)
    assert Condition.objects.get(pk=row.condition_id).member_count == 0


def test_a_stale_copy_of_a_question_or_condition_saved_keeps_the_current_figures():
    question = published_question()
    stale_question = Question.objects.get(pk=question.pk)
    stale_condition = Condition.objects.get(pk=question.condition_id)
    ExperienceFactory(question=question)
    MemberConditionFactory(condition=question.condition)
    stale_question.title = "An edited title?"
    stale_question.save()
    stale_condition.summary = "An edited summary."
    stale_condition.save()
    question.refresh_from_db()
    assert question.title == "An edited title?"
    assert question.visible_experience_count == question.people_living_with == 1
    assert Condition.objects.get(pk=question.condition_id).member_count == 1


# --- manage.py recount ---------------------------------------------------------------------


def test_recount_puts_back_a_corrupted_figure_and_says_so():
    question = published_question()
    ExperienceFactory.create_batch(3, question=question)
    MemberConditionFactory.create_batch(2, condition=question.condition)
    Question.objects.filter(pk=question.pk).update(visible_experience_count=7, people_caring_for=4)
    Condition.objects.filter(pk=question.condition_id).update(member_count=99)
    out = io.StringIO()
    call_command("recount", stdout=out)
    report = out.getvalue()
    assert f"question {question.pk}: visible_experience_count 7 → 3" in report
    assert "people_caring_for 4 → 0" in report
    assert f"condition {question.condition_id}: member_count 99 → 2" in report
    assert_figures_match_the_rows()
    out = io.StringIO()
    call_command("recount", stdout=out)
    assert "nothing changed" in out.getvalue()


def test_recount_repairs_figures_written_past_the_services():
    question = published_question()
    post = ExperienceFactory(question=question)
    Experience.objects.filter(pk=post.pk).update(is_hidden=True)  # past every service
    call_command("recount", stdout=io.StringIO())
    assert_figures_match_the_rows()


# --- pages ---------------------------------------------------------------------------------


def test_the_question_page_shows_the_stored_figures_without_counting_posts():
    question = published_question(condition__name="Dermatofibrosarcoma Protuberans")
    ExperienceFactory.create_batch(2, question=question)
    # A deliberately wrong figure shows: the page reads the stored one, never a count.
    Question.objects.filter(pk=question.pk).update(people_living_with=41)
    html = Client().get(question.get_absolute_url()).content.decode()
    assert "41 people with Dermatofibrosarcoma Protuberans have shared" in html


def test_a_figure_changing_refreshes_the_visitors_pages_that_show_it(moderator, settings):
    settings.DISEASEMAPS_COMMUNITY_FLOOR = 1
    question = published_question()
    pages = ["/", question.condition.get_absolute_url(), question.get_absolute_url()]
    for url in pages:
        assert "1 member of" not in Client().get(url).content.decode()
    member = MemberFactory()
    member_services.add_condition(
        user=member,
        condition=question.condition,
        relationship=LIVING_WITH,
        diagnosed_in=None,
        visibility=MemberCondition.Visibility.ONLY_ME,
        is_counted=True,
        consent=True,
    )
    for url in pages:
        assert "1 member of" in Client().get(url).content.decode(), url
    post = ExperienceFactory(question=question, status=Experience.Status.PENDING, approved_at=None)
    Question.objects.filter(pk=question.pk).update(people_living_with=5)  # past the services
    cache.clear()
    assert "5 people with" in Client().get(question.get_absolute_url()).content.decode()
    refresh_question_figures([question.pk])  # as recount does: the stored page is made again
    assert "5 people with" not in Client().get(question.get_absolute_url()).content.decode()
    services.approve_experience(experience=post, moderator=moderator)
    assert "1 person with" in Client().get(question.get_absolute_url()).content.decode()
