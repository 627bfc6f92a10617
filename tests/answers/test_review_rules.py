"""The review rules beyond the state machine: dates, intervals, content checks, read models."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from diseasemaps.answers import services
from diseasemaps.answers.models import AnswerRevision
from tests.factories import QuestionFactory, published_question

pytestmark = pytest.mark.django_db

State = AnswerRevision.State
Kind = AnswerRevision.ReviewKind
CONTENT = {"short_answer": "Short.", "body": "Body.", "change_summary": "Why."}


def _in_review(question, editor, **content):
    draft = services.create_draft(question=question, author=editor, **{**CONTENT, **content})
    return services.submit_for_review(revision=draft, actor=editor)


@pytest.mark.parametrize(
    ("months", "on", "due"),
    [
        (12, datetime.date(2026, 6, 1), datetime.date(2027, 6, 1)),
        (6, datetime.date(2026, 8, 31), datetime.date(2027, 2, 28)),
        (1, datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),
        (24, datetime.date(2026, 2, 10), datetime.date(2028, 2, 10)),
    ],
)
def test_a_full_review_sets_the_next_review_by_the_answers_own_interval(
    editor, reviewer, months, on, due
):
    question = QuestionFactory(review_interval_months=months)
    revision = services.approve_revision(
        revision=_in_review(question, editor), reviewer=reviewer, on=on
    )
    assert (revision.reviewed_on, revision.updated_on, revision.next_review_on) == (on, on, due)


def test_a_reviewer_may_set_the_next_review_date_of_a_full_review(editor, reviewer):
    revision = services.approve_revision(
        revision=_in_review(QuestionFactory(), editor),
        reviewer=reviewer,
        on=datetime.date(2026, 6, 1),
        next_review_on=datetime.date(2026, 12, 1),
    )
    assert revision.next_review_on == datetime.date(2026, 12, 1)


def test_a_next_review_date_not_after_the_review_is_refused(editor, reviewer):
    draft = _in_review(QuestionFactory(), editor)
    with pytest.raises(ValidationError, match="after the day of this review"):
        services.approve_revision(
            revision=draft,
            reviewer=reviewer,
            on=datetime.date(2026, 6, 1),
            next_review_on=datetime.date(2026, 6, 1),
        )
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_a_next_review_date_more_than_three_years_ahead_is_refused(editor, reviewer):
    draft = _in_review(QuestionFactory(), editor)
    with pytest.raises(ValidationError, match="within 36 months"):
        services.approve_revision(
            revision=draft,
            reviewer=reviewer,
            on=datetime.date(2026, 6, 1),
            next_review_on=datetime.date(2029, 6, 2),
        )


def test_an_editorial_change_moves_only_last_updated_even_when_a_date_is_given(editor, reviewer):
    question = published_question()
    live = question.live_revision
    revision = services.approve_revision(
        revision=_in_review(question, editor),
        reviewer=reviewer,
        review_kind=Kind.EDITORIAL,
        on=datetime.date(2026, 9, 1),
        next_review_on=datetime.date(2030, 1, 1),
    )
    assert revision.reviewed_on == live.reviewed_on == datetime.date(2026, 5, 8)
    assert revision.next_review_on == live.next_review_on
    assert revision.updated_on == datetime.date(2026, 9, 1)
    assert revision.review_kind == Kind.EDITORIAL


def test_a_full_review_after_an_editorial_change_moves_both_dates(editor, reviewer):
    question = published_question()
    services.approve_revision(
        revision=_in_review(question, editor),
        reviewer=reviewer,
        review_kind=Kind.EDITORIAL,
        on=datetime.date(2026, 9, 1),
    )
    revision = services.approve_revision(
        revision=_in_review(question, editor), reviewer=reviewer, on=datetime.date(2026, 10, 1)
    )
    assert revision.reviewed_on == revision.updated_on == datetime.date(2026, 10, 1)


def test_an_unknown_kind_of_review_is_refused(editor, reviewer):
    with pytest.raises(ValidationError, match="full medical review or an editorial"):
        services.approve_revision(
            revision=_in_review(QuestionFactory(), editor), reviewer=reviewer, review_kind="quick"
        )


def test_the_reviewers_change_summary_replaces_the_editors_and_is_recorded(editor, reviewer):
    revision = services.approve_revision(
        revision=_in_review(QuestionFactory(), editor),
        reviewer=reviewer,
        change_summary="Checked against the 2025 guideline.",
    )
    assert revision.change_summary == "Checked against the 2025 guideline."
    assert revision.events.last().note == "Full medical review: Checked against the 2025 guideline."


def test_a_blank_change_summary_from_the_reviewer_is_refused(editor, reviewer):
    with pytest.raises(ValidationError, match="change summary is required"):
        services.approve_revision(
            revision=_in_review(QuestionFactory(), editor), reviewer=reviewer, change_summary="  "
        )


def test_approval_of_text_edited_since_the_reviewer_read_it_is_refused(editor, reviewer):
    draft = _in_review(QuestionFactory(), editor)
    read_version = draft.version
    services.update_draft(revision=draft, editor=editor, expected_version=read_version, **CONTENT)
    with pytest.raises(services.StaleVersion, match="edited after you opened it"):
        services.approve_revision(revision=draft, reviewer=reviewer, expected_version=read_version)
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_a_reviewer_can_change_the_review_interval_and_an_editor_cannot(editor, reviewer):
    question = QuestionFactory()
    services.set_review_interval(question=question, actor=reviewer, months=6)
    question.refresh_from_db()
    assert question.review_interval_months == 6
    with pytest.raises(PermissionDenied):
        services.set_review_interval(question=question, actor=editor, months=24)
    with pytest.raises(ValidationError, match="between 1 and 36"):
        services.set_review_interval(question=question, actor=reviewer, months=0)


# --- what writers type ---


@pytest.mark.parametrize(
    "body",
    [
        "[click](javascript:alert(1))",
        "[mail](mailto:someone@example.org)",
        "![pixel](data:image/png;base64,AAAA)",
        "[relative](/admin/)",
        "<ftp://files.example.org/x>",
    ],
)
def test_a_link_that_is_not_http_or_https_is_refused_with_its_address(editor, body):
    question = QuestionFactory()
    with pytest.raises(ValidationError) as error:
        services.create_draft(question=question, author=editor, **{**CONTENT, "body": body})
    assert "Links must be full http:// or https:// addresses" in str(error.value.message_dict)
    assert not question.revisions.exists()


def test_http_and_https_links_are_kept(editor):
    draft = services.create_draft(
        question=QuestionFactory(),
        author=editor,
        **{**CONTENT, "body": "[a](https://example.org/a) and [b](http://example.org/b)"},
    )
    assert 'href="https://example.org/a"' in draft.body_html
    assert 'href="http://example.org/b"' in draft.body_html


def test_raw_html_in_a_draft_is_never_rendered_as_markup(editor):
    draft = services.create_draft(
        question=QuestionFactory(),
        author=editor,
        **{**CONTENT, "body": "Hi <script>alert(1)</script><img src=x onerror=alert(1)>"},
    )
    assert "<script" not in draft.body_html
    assert "<img" not in draft.body_html


@pytest.mark.parametrize(
    ("field", "size", "message"),
    [
        ("short_answer", 1001, "keep it to 1000"),
        ("body", 30_001, "keep it to 30000"),
        ("change_summary", 301, "keep it to 300"),
    ],
)
def test_text_over_its_length_limit_is_refused_with_the_limit(editor, field, size, message):
    with pytest.raises(ValidationError) as error:
        services.create_draft(
            question=QuestionFactory(), author=editor, **{**CONTENT, field: "x" * size}
        )
    assert message in " ".join(error.value.message_dict[field])


def test_an_edit_with_a_bad_link_writes_nothing(editor):
    draft = services.create_draft(question=QuestionFactory(), author=editor, **CONTENT)
    with pytest.raises(ValidationError):
        services.update_draft(
            revision=draft,
            editor=editor,
            expected_version=draft.version,
            **{**CONTENT, "body": "[x](javascript:void(0))"},
        )
    draft.refresh_from_db()
    assert (draft.body, draft.version) == ("Body.", 1)


# --- the read models behind the queues ---


def test_overdue_and_due_lists_hold_only_live_answers_by_date(editor, reviewer):
    today = datetime.date(2026, 11, 26)
    overdue = published_question().live_revision
    overdue.next_review_on = datetime.date(2026, 11, 25)
    overdue.save()
    due = published_question().live_revision
    due.next_review_on = datetime.date(2026, 12, 20)
    due.save()
    later = published_question().live_revision
    later.next_review_on = datetime.date(2027, 6, 1)
    later.save()
    # A superseded revision with a past date is history, not work.
    question = published_question()
    old = question.live_revision
    old.next_review_on = datetime.date(2026, 1, 1)
    old.save()
    services.approve_revision(revision=_in_review(question, editor), reviewer=reviewer, on=today)
    old.refresh_from_db()
    assert old.state == State.SUPERSEDED
    assert list(AnswerRevision.objects.overdue(today=today)) == [overdue]
    assert list(AnswerRevision.objects.due_for_review(today=today, within_days=30)) == [due]


def test_awaiting_my_review_leaves_out_my_own_revisions(editor, reviewer):
    others = _in_review(QuestionFactory(), editor)
    mine = _in_review(QuestionFactory(), reviewer)
    services.create_draft(question=QuestionFactory(), author=editor, **CONTENT)
    assert list(AnswerRevision.objects.awaiting_review_by(reviewer)) == [others]
    assert mine in AnswerRevision.objects.awaiting_review_by(editor)


def test_an_answer_is_overdue_from_the_day_after_its_due_date():
    revision = published_question().live_revision
    revision.next_review_on = timezone.localdate()
    assert not revision.is_review_overdue
    revision.next_review_on = timezone.localdate() - datetime.timedelta(days=1)
    assert revision.is_review_overdue
