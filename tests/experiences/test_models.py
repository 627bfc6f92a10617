import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from diseasemaps.experiences.models import Experience, PeopleCount
from diseasemaps.members.models import MemberCondition
from tests.factories import ExperienceFactory, MemberFactory, QuestionFactory, published_question

pytestmark = pytest.mark.django_db

LIVING_WITH = MemberCondition.Relationship.LIVING_WITH
CARING_FOR = MemberCondition.Relationship.CARING_FOR


def test_only_approved_posts_that_are_not_hidden_are_visible():
    shown = ExperienceFactory()
    ExperienceFactory(status=Experience.Status.PENDING, approved_at=None)
    ExperienceFactory(status=Experience.Status.REJECTED, approved_at=None)
    ExperienceFactory(is_hidden=True)
    assert list(Experience.objects.visible()) == [shown]


def test_people_count_counts_a_member_with_several_posts_once():
    author = MemberFactory()
    ExperienceFactory.create_batch(3, author=author)
    assert Experience.objects.people_count() == PeopleCount(living_with=1)


def test_people_count_counts_two_members_as_two():
    ExperienceFactory.create_batch(2)
    assert Experience.objects.people_count() == PeopleCount(living_with=2)


def test_a_caregivers_posts_never_count_as_people_with_the_condition():
    ExperienceFactory()
    caregiver = MemberFactory()
    ExperienceFactory.create_batch(2, author=caregiver, written_as=CARING_FOR)
    assert Experience.objects.people_count() == PeopleCount(living_with=1, caring_for=1)


def test_a_former_members_kept_posts_count_once_by_their_key_and_two_former_members_twice():
    one, other = uuid.uuid4(), uuid.uuid4()
    ExperienceFactory.create_batch(3, author=None, written_as=LIVING_WITH, former_author_key=one)
    ExperienceFactory(author=None, written_as=LIVING_WITH, former_author_key=other)
    ExperienceFactory(author=None, written_as=CARING_FOR, former_author_key=uuid.uuid4())
    assert Experience.objects.people_count() == PeopleCount(living_with=2, caring_for=1)


def test_posts_whose_authors_relationship_was_never_recorded_are_not_counted_as_people():
    ExperienceFactory()
    ExperienceFactory.create_batch(2, author=None)  # kept before posts recorded it
    assert Experience.objects.people_count() == PeopleCount(living_with=1, unattributed_posts=2)


def test_people_count_of_nothing_is_zero():
    assert Experience.objects.none().people_count() == PeopleCount()
    assert not Experience.objects.people_count()


def test_people_count_runs_one_query(django_assert_num_queries):
    ExperienceFactory.create_batch(2)
    with django_assert_num_queries(1):
        Experience.objects.people_count()


def test_a_former_author_key_belongs_only_to_posts_without_an_author():
    post = ExperienceFactory()
    post.former_author_key = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        post.save()


@pytest.mark.parametrize(
    ("people", "sentence"),
    [
        (PeopleCount(), "No one with DFSP has shared their first-person experience here yet."),
        (
            PeopleCount(living_with=1),
            "1 person with DFSP has shared their first-person experience here at DM.",
        ),
        (
            PeopleCount(living_with=3),
            "3 people with DFSP have shared their first-person experience here at DM.",
        ),
        (
            PeopleCount(living_with=1, caring_for=1),
            "1 person with DFSP, and 1 person caring for someone with it, have shared their "
            "first-person experience here at DM.",
        ),
        (
            PeopleCount(living_with=4, caring_for=2),
            "4 people with DFSP, and 2 people caring for someone with it, have shared their "
            "first-person experience here at DM.",
        ),
        (
            PeopleCount(caring_for=1),
            "No one with DFSP has shared their first-person experience here yet; 1 person "
            "caring for someone with it has.",
        ),
        (
            PeopleCount(caring_for=2, unattributed_posts=1),
            "No one with DFSP has shared their first-person experience here yet; 2 people "
            "caring for someone with it have.",
        ),
        (PeopleCount(unattributed_posts=1), "A member has shared their experience here."),
        (PeopleCount(unattributed_posts=2), "Members have shared their experience here."),
        (
            PeopleCount(living_with=2, unattributed_posts=5),
            "2 people with DFSP have shared their first-person experience here at DM.",
        ),
    ],
)
def test_the_figure_in_words_never_counts_a_caregiver_as_someone_with_the_condition(
    people, sentence
):
    assert people.sentence(condition="DFSP", scope=" here", site=" at DM") == sentence


def test_a_question_of_another_condition_is_refused():
    experience = ExperienceFactory.build(
        question=QuestionFactory(), condition=QuestionFactory().condition
    )
    with pytest.raises(ValidationError, match="another condition"):
        experience.clean()


def test_set_body_drops_headings_and_marks_links_as_user_content():
    experience = Experience()
    experience.set_body("## Not a heading\n\n[link](https://example.org)")
    assert "<h2" not in experience.body_html
    assert 'rel="nofollow ugc noopener noreferrer"' in experience.body_html


@pytest.mark.postgres_only  # the plan is PostgreSQL's
def test_a_page_of_posts_reads_the_authors_relationships_by_join_not_per_post_subquery():
    """
    A subquery in the select list is planned for every visible post of the question, not for
    the page returned: PostgreSQL hashed the whole members_membercondition table for it (44 ms
    with 134,000 memberships). The author's row for the post's condition is joined instead.
    """
    from django.db import connection

    question = published_question()
    ExperienceFactory.create_batch(3, question=question)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    page = Experience.objects.visible().filter(question=question).for_display(viewer=None)[:20]
    plan = page.explain()
    assert "members_membercondition" in plan
    assert "SubPlan" not in plan
    assert len(list(page)) == 3
