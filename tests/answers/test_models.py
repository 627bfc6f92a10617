import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from diseasemaps.answers.models import AnswerRevision, Question, Source
from tests.factories import QuestionFactory, RevisionFactory, SourceFactory, published_question

pytestmark = pytest.mark.django_db


def test_a_question_with_only_a_draft_is_not_published():
    RevisionFactory()
    assert not Question.objects.published().exists()


def test_a_question_with_a_live_revision_is_published():
    question = published_question()
    assert list(Question.objects.published()) == [question]


def test_the_database_refuses_a_second_open_draft():
    question = QuestionFactory()
    RevisionFactory(question=question, state=AnswerRevision.State.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        RevisionFactory(question=question, state=AnswerRevision.State.IN_REVIEW)


def test_closed_revisions_do_not_count_as_open_drafts():
    question = QuestionFactory()
    RevisionFactory(question=question, state=AnswerRevision.State.DISCARDED)
    RevisionFactory(question=question, state=AnswerRevision.State.DRAFT)
    assert question.revisions.open().count() == 1


def test_the_database_refuses_an_approved_revision_without_a_review():
    with pytest.raises(IntegrityError), transaction.atomic():
        RevisionFactory(state=AnswerRevision.State.APPROVED)


def test_set_body_makes_the_sanitized_html():
    revision = AnswerRevision()
    revision.set_body("# Title\n\n<script>x</script>")
    assert "<h2>Title</h2>" in revision.body_html
    assert "<script" not in revision.body_html


BAD_LINKS = [
    'https://example.org/paper"onmouseover="alert(1)',
    "https://example.org/paper'><script>alert(1)</script>",
    "https://example.org/search?q=<b>",
    "https://example.org/a>b",
    "https://example.org/`cmd`",
]


@pytest.mark.parametrize("url", BAD_LINKS)
def test_a_source_link_with_a_quote_or_an_angle_bracket_is_refused(url):
    source = SourceFactory.build(revision=RevisionFactory(), url=url)
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    message = " ".join(refused.value.message_dict["url"])
    assert "cannot contain quotes or angle brackets" in message
    assert "percent-encoded" in message


@pytest.mark.parametrize("url", BAD_LINKS)
def test_the_database_refuses_a_source_link_with_a_quote_or_an_angle_bracket(url):
    source = SourceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(url=url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/paper",
        "https://en.wikipedia.org/wiki/Crohn%27s_disease",
        "https://pubmed.ncbi.nlm.nih.gov/?term=dfsp%20imatinib&sort=date",
        "http://example.org/a(b)c;d=e",
    ],
)
def test_ordinary_and_percent_encoded_source_links_are_kept(url):
    source = SourceFactory(url=url)
    source.full_clean()
    source.refresh_from_db()
    assert source.url == url


def test_a_list_of_questions_loads_neither_the_answers_text_nor_its_reviewer(
    django_assert_num_queries,
):
    published_question(condition__abbreviation="DFSP")
    with django_assert_num_queries(1):
        [question] = Question.objects.published().for_listing()
        listed = (
            question.get_absolute_url(),
            question.title,
            question.condition.short_name,
            question.live_revision.review_state,
            question.live_revision.reviewed_on,
        )
    assert listed[2] == "DFSP"
    assert {"body", "body_html", "short_answer", "reviewer_id"} <= (
        question.live_revision.get_deferred_fields()
    )


@pytest.mark.postgres_only  # the plan is PostgreSQL's
def test_the_most_recently_reviewed_answers_are_read_in_order_from_the_index():
    published_question()
    with connection.cursor() as cursor:
        # A handful of rows would be read whole; ask the planner what it can do at scale.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = Question.objects.recently_reviewed().for_listing()[:6].explain()
    assert "answers_live_by_reviewed_on" in plan
    # Ties on the date are put in order by title as they are read; nothing sorts all rows.
    nodes = [line.strip().removeprefix("->").strip() for line in plan.splitlines()]
    assert not [node for node in nodes if node.startswith("Sort  (")]


@pytest.mark.postgres_only  # the plan is PostgreSQL's
def test_a_reviewers_answers_are_counted_from_the_indexes_alone():
    reviewer = published_question().live_revision.reviewer
    with CaptureQueriesContext(connection) as queries:  # the count the reviewer page's pages need
        assert AnswerRevision.objects.approved_by(reviewer).count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Only Scan using answers_live_by_reviewer" in plan
    # Neither the questions nor their conditions are read: a count, however many answers.
    assert "answers_question" not in plan
    assert "conditions_condition" not in plan


def test_a_long_list_of_questions_reads_plain_rows_with_what_the_instances_would_show(
    monkeypatch,
):
    import datetime

    from django.utils import timezone

    from diseasemaps.answers import models as answer_models
    from diseasemaps.answers.models import listing_lines

    current = published_question(condition__abbreviation="DFSP")
    overdue = published_question()
    overdue.live_revision.next_review_on = timezone.localdate() - datetime.timedelta(days=1)
    overdue.live_revision.save()
    reversed_ = []
    real_reverse = answer_models.reverse
    monkeypatch.setattr(
        answer_models, "reverse", lambda *a, **k: reversed_.append(a) or real_reverse(*a, **k)
    )
    rows = list(Question.objects.published().for_listing_rows().order_by("pk"))
    lines = listing_lines(rows)
    assert all(isinstance(row, dict) for row in rows)
    assert len(reversed_) == 1  # one address pattern for the whole list
    expected = [
        {
            "url": real_reverse(
                "pages:question",
                kwargs={"condition_slug": question.condition.slug, "slug": question.slug},
            ),
            "title": question.title,
            "condition_short_name": question.condition.short_name,
            "revision": {
                "review_state": question.live_revision.review_state,
                "reviewed_on": question.live_revision.reviewed_on,
            },
        }
        for question in (current, overdue)
    ]
    assert lines == expected
    assert lines[0]["condition_short_name"] == "DFSP"
    assert lines[1]["revision"]["review_state"] == "overdue"


@pytest.mark.parametrize(
    ("state", "reviewed", "days_to_next_review"),
    [
        (AnswerRevision.State.APPROVED, True, 1),
        (AnswerRevision.State.APPROVED, True, -1),
        (AnswerRevision.State.APPROVED, True, None),
        (AnswerRevision.State.APPROVED, False, 1),
        (AnswerRevision.State.SUPERSEDED, True, -1),
        (AnswerRevision.State.DRAFT, True, 1),
    ],
)
def test_the_review_state_of_a_plain_row_follows_the_revisions_rule(
    state, reviewed, days_to_next_review
):
    import datetime

    from diseasemaps.answers.models import review_state_for

    day = datetime.date(2026, 6, 1)
    revision = AnswerRevision(
        state=state,
        reviewed_on=datetime.date(2026, 1, 1) if reviewed else None,
        next_review_on=None
        if days_to_next_review is None
        else day + datetime.timedelta(days=days_to_next_review),
    )
    assert review_state_for(
        revision.state, revision.reviewed_on, revision.next_review_on, day
    ) == revision.review_state_on(day)
