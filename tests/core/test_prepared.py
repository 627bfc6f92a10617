"""core.prepared.PreparedQuery: a queryset's SQL compiled once per shape, run with new values."""

import pytest
from django.db import models

from diseasemaps.core.prepared import PreparedQuery
from diseasemaps.experiences.models import Experience, Reaction
from diseasemaps.pages.editions import ViewerState, viewer_state
from tests.factories import ExperienceFactory, MemberFactory, published_question

pytestmark = pytest.mark.django_db


def _posts(*, author: int, posts: list[int]):
    return (
        Experience.objects.filter(author_id=author, pk__in=posts)
        .values_list("pk", "question_id")
        .order_by("pk")
    )


def _helpful_or_written(*, member: int, posts: list[int]):
    """A UNION that names `member` twice: both places get the value."""
    return (
        Reaction.objects.filter(user_id=member, experience_id__in=posts)
        .values_list(models.Value("helpful"), "experience_id")
        .order_by()
        .union(
            Experience.objects.filter(author_id=member, pk__in=posts)
            .values_list(models.Value("written"), "pk")
            .order_by(),
            all=True,
        )
    )


class Counted:
    """A build function that counts how often it is called (once per shape)."""

    def __init__(self, build):
        self.build, self.calls = build, []

    def __call__(self, **values):
        self.calls.append(
            {name: len(v) if isinstance(v, list) else None for name, v in values.items()}
        )
        return self.build(**values)


def test_a_prepared_query_gives_the_rows_of_its_queryset_and_compiles_once_per_shape():
    question = published_question()
    authors = MemberFactory.create_batch(3)
    posts = [ExperienceFactory(question=question, author=authors[n % 3]) for n in range(9)]
    build = Counted(_posts)
    prepared = PreparedQuery(build)
    pks = [post.pk for post in posts]
    for author in authors:
        for chosen in (pks[:1], pks[:4], pks[2:6], pks, [pks[8], pks[0], pks[3], pks[5]]):
            expected = list(_posts(author=author.pk, posts=chosen))
            assert prepared.run(author=author.pk, posts=chosen) == expected
    assert prepared.run(author=authors[0].pk, posts=[-1]) == []
    # lists of 1, 4 and 9 values: three shapes, each compiled once
    assert sorted(build.calls, key=lambda shape: shape["posts"]) == [
        {"author": None, "posts": 1},
        {"author": None, "posts": 4},
        {"author": None, "posts": 9},
    ]


def test_a_value_used_in_several_places_reaches_each_of_them():
    question = published_question()
    member, other = MemberFactory(), MemberFactory()
    mine = ExperienceFactory(question=question, author=member)
    theirs = ExperienceFactory(question=question, author=other)
    Reaction.objects.create(experience=theirs, user=member)
    prepared = PreparedQuery(_helpful_or_written)
    for who in (member, other):
        for chosen in ([mine.pk, theirs.pk], [theirs.pk, mine.pk]):
            expected = sorted(_helpful_or_written(member=who.pk, posts=chosen))
            assert sorted(prepared.run(member=who.pk, posts=chosen)) == expected
    assert sorted(prepared.run(member=member.pk, posts=[mine.pk, theirs.pk])) == [
        ("helpful", theirs.pk),
        ("written", mine.pk),
    ]


@pytest.mark.parametrize(
    "build",
    [
        lambda *, author, unused: Experience.objects.filter(author_id=author),
        lambda *, author, word: Experience.objects.filter(author_id=author, body__contains=word),
        lambda *, author: Experience.objects.filter(author_id=author + 1),  # not the value
    ],
    ids=["ignored", "within-a-pattern", "changed"],
)
def test_a_value_that_does_not_reach_the_sql_is_refused(build):
    prepared = PreparedQuery(build)
    values = {"author": 1, "unused": 2, "word": 3}
    names = build.__code__.co_varnames[: build.__code__.co_kwonlyargcount]
    with pytest.raises(ValueError, match="does not reach"):
        prepared.run(**{name: values[name] for name in names})


def test_what_is_a_members_own_on_a_question_page_is_read_in_one_query(
    django_assert_num_queries,
):
    from diseasemaps.community import services as community_services
    from diseasemaps.community.models import Kind, Notification
    from diseasemaps.experiences import services as experience_services
    from tests.factories import MemberConditionFactory

    question = published_question()
    member = MemberConditionFactory(condition=question.condition).user
    posts = ExperienceFactory.create_batch(3, question=question)
    waiting = ExperienceFactory(
        question=question, author=member, status=Experience.Status.PENDING, approved_at=None
    )
    experience_services.toggle_helpful(experience=posts[0], user=member)
    experience_services.submit_reply(
        author=member, experience=posts[1], body="A reply of mine under a post."
    )
    community_services.follow(user=member, question=question)
    for n in range(2):
        Notification.objects.create(
            user=member, kind=Kind.REPLY, event=f"e:{n}", text="Someone replied", url="/"
        )
    listed = [post.pk for post in posts]
    with django_assert_num_queries(1):
        state = viewer_state(member, question_id=question.pk, post_ids=listed)
    assert state == ViewerState(
        following=True,
        unread_notifications=2,
        waiting=frozenset({waiting.pk}),
        helpful=frozenset({posts[0].pk}),
        replied=frozenset({posts[1].pk}),
    )
    stranger = MemberFactory()
    assert viewer_state(stranger, question_id=question.pk, post_ids=listed) == ViewerState()
    assert viewer_state(stranger, question_id=question.pk) == ViewerState()


def _members_posts(*, author: int):
    return Experience.objects.filter(author_id=author).order_by("pk")


def test_prepared_instances_are_those_of_the_queryset_with_the_values_the_orm_gives():
    question = published_question()
    author = MemberFactory()
    ExperienceFactory.create_batch(3, question=question, author=author)
    ExperienceFactory(question=question)
    prepared = PreparedQuery(_members_posts)
    found = prepared.instances(author=author.pk)
    expected = list(_members_posts(author=author.pk))
    assert [type(post) for post in found] == [Experience] * 3
    columns = [field.attname for field in Experience._meta.concrete_fields]
    for post, orm in zip(found, expected, strict=True):
        assert {name: getattr(post, name) for name in columns} == {
            name: getattr(orm, name) for name in columns
        }
        assert post._state.adding is False
    assert isinstance(found[0].created_at, type(expected[0].created_at))
    assert prepared.instances(author=-1) == []


@pytest.mark.parametrize(
    "build",
    [
        lambda *, author: Experience.objects.filter(author_id=author).select_related("question"),
        lambda *, author: Experience.objects.filter(author_id=author).values_list("pk"),
        lambda *, author: Experience.objects.filter(author_id=author).annotate(n=models.Value(1)),
    ],
    ids=["related rows", "values", "annotation"],
)
def test_prepared_instances_refuse_a_queryset_of_anything_but_one_models_rows(build):
    with pytest.raises(ValueError, match="plain model instances"):
        PreparedQuery(build).instances(author=1)


def _prepared_here(connection, fragment: str) -> list[tuple]:
    """The statements prepared on this connection whose SQL holds `fragment`, with plan counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        return cursor.fetchall()


@pytest.mark.postgres_only  # PostgreSQL's own prepared statements
def test_on_postgresql_the_database_prepares_the_query_and_each_run_is_still_a_counted_query(
    django_assert_num_queries,
):
    from django.db import connection

    question = published_question()
    author = MemberFactory()
    posts = ExperienceFactory.create_batch(3, question=question, author=author)
    pks = [post.pk for post in posts]
    prepared = PreparedQuery(_posts)
    expected = list(_posts(author=author.pk, posts=pks))
    for _ in range(8):
        with django_assert_num_queries(1):
            assert prepared.run(author=author.pk, posts=pks) == expected
    statements = _prepared_here(connection, '"experiences_experience"."question_id"')
    assert len(statements) == 1
    statement, runs = statements[0]
    assert "$4" in statement  # values bound on the server: the author and three posts
    assert runs >= 8 - connection.connection.prepare_threshold
    # other values run through the same statement, and get their own rows
    assert prepared.run(author=author.pk, posts=pks[:1] * 3) == expected[:1]
    assert prepared.run(author=MemberFactory().pk, posts=pks) == []


@pytest.mark.postgres_only  # PostgreSQL's own prepared statements
def test_without_a_prepare_threshold_nothing_is_prepared():
    from django.db import connection

    question = published_question()
    author = MemberFactory()
    posts = ExperienceFactory.create_batch(2, question=question, author=author)
    pks = [post.pk for post in posts]
    prepared = PreparedQuery(_posts)
    connection.ensure_connection()
    before = _prepared_here(connection, '"experiences_experience"."question_id"')
    threshold = connection.connection.prepare_threshold
    connection.connection.prepare_threshold = None  # DB_PREPARED_STATEMENTS=0
    try:
        for _ in range(8):
            assert prepared.run(author=author.pk, posts=pks) == list(
                _posts(author=author.pk, posts=pks)
            )
    finally:
        connection.connection.prepare_threshold = threshold
    assert _prepared_here(connection, '"experiences_experience"."question_id"') == before
