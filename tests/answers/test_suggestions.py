"""Members' suggested questions: asking, the editors' moves on the queue, and the answer."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diseasemaps.answers import services
from diseasemaps.answers.models import QuestionSuggestion
from diseasemaps.answers.signals import suggestions_answered
from diseasemaps.core.services import Role
from tests.factories import (
    ConditionFactory,
    MemberFactory,
    QuestionFactory,
    ReviewerFactory,
    StaffFactory,
    published_question,
)

pytestmark = pytest.mark.django_db
Status = QuestionSuggestion.Status
QUESTION = "Can DFSP come back years after Mohs surgery?"


@pytest.fixture
def condition():
    return ConditionFactory(slug="dfsp", name="Dermatofibrosarcoma protuberans")


@pytest.fixture
def announced():
    """Every suggestions_answered signal sent, as (question, [suggestion pks])."""
    calls = []

    def receiver(sender, question, suggestions, **kwargs):
        calls.append((question, sorted(s.pk for s in suggestions), [s.member for s in suggestions]))

    suggestions_answered.connect(receiver)
    yield calls
    suggestions_answered.disconnect(receiver)


def ask(condition, member=None, text=QUESTION, **fields):
    return services.suggest_question(
        member=member or MemberFactory(), condition=condition, text=text, **fields
    )


def answer_live(question, editor, reviewer, *, kind="full"):
    draft = services.create_draft(
        question=question,
        author=editor,
        short_answer="Yes, rarely.",
        body="It can come back.",
        change_summary="First answer.",
    )
    services.submit_for_review(revision=draft, actor=editor)
    return services.approve_revision(revision=draft, reviewer=reviewer, review_kind=kind)


def test_a_member_suggests_a_question_which_waits_new_and_private(condition, member):
    suggestion = ask(condition, member, details="  I had surgery in 2019.  ")
    assert suggestion.status == Status.NEW
    assert suggestion.member == member
    assert suggestion.details == "I had surgery in 2019."
    assert list(QuestionSuggestion.objects.by(member)) == [suggestion]
    assert not QuestionSuggestion.objects.by(MemberFactory()).exists()


@pytest.mark.parametrize(
    ("text", "details", "field"),
    [
        ("Why?", "", "text"),
        ("x" * 201, "", "text"),
        (QUESTION, "y" * 2001, "details"),
        ("Please mail me at sam@example.org about DFSP", "", "text"),
        (QUESTION, "Call me on +44 20 7946 0958", "details"),
    ],
)
def test_a_question_too_short_too_long_or_with_contact_details_is_refused(
    condition, member, text, details, field
):
    with pytest.raises(ValidationError) as error:
        ask(condition, member, text=text, details=details)
    assert field in error.value.message_dict
    assert not QuestionSuggestion.objects.exists()


def test_the_same_form_sent_twice_saves_one_suggestion(condition, member):
    first = ask(condition, member, submission_key="k" * 24)
    again = ask(condition, member, submission_key="k" * 24)
    assert again.pk == first.pk
    assert QuestionSuggestion.objects.count() == 1


def test_a_member_is_limited_to_a_few_suggestions_an_hour(condition, member):
    for n in range(services.SUGGEST_LIMIT.limit):
        ask(condition, member, text=f"{QUESTION} ({n})")
    with pytest.raises(ValidationError) as error:
        ask(condition, member, text="One more question about DFSP?")
    assert error.value.code == "rate_limited"
    assert QuestionSuggestion.objects.count() == services.SUGGEST_LIMIT.limit
    ask(condition, MemberFactory())  # another member is not held back


def test_an_anonymous_or_departed_person_cannot_suggest(condition):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        ask(condition, AnonymousUser())
    with pytest.raises(PermissionDenied):
        ask(condition, MemberFactory(is_active=False))


@pytest.mark.parametrize("role", [None, Role.MODERATOR, Role.MEDICAL_REVIEWER])
def test_only_editors_handle_the_queue(condition, role):
    suggestion = ask(condition)
    user = StaffFactory(roles=[role]) if role else MemberFactory()
    with pytest.raises(PermissionDenied):
        services.plan_suggestions(suggestions=[suggestion], editor=user)
    with pytest.raises(PermissionDenied):
        services.decline_suggestions(suggestions=[suggestion], editor=user, note="No.")
    suggestion.refresh_from_db()
    assert suggestion.status == Status.NEW


def test_declining_needs_a_note_which_the_merged_ones_get_too(condition, editor):
    kept, duplicate = ask(condition), ask(condition)
    services.merge_suggestions(suggestions=[duplicate], into=kept, editor=editor)
    with pytest.raises(ValidationError):
        services.decline_suggestions(suggestions=[kept], editor=editor, note="  ")
    services.decline_suggestions(
        suggestions=[duplicate], editor=editor, note="We cannot answer questions about dosing."
    )
    for row in (kept, duplicate):
        row.refresh_from_db()
        assert row.status == Status.DECLINED
        assert row.note_to_member == "We cannot answer questions about dosing."
        assert row.handled_by == editor
    assert duplicate.duplicate_of == kept


def test_merged_suggestions_follow_the_kept_one_and_merge_into_its_root(condition, editor):
    kept, second, third = ask(condition), ask(condition), ask(condition)
    services.merge_suggestions(suggestions=[second], into=kept, editor=editor)
    second.refresh_from_db()
    assert (second.status, second.duplicate_of) == (Status.MERGED, kept)
    # Merging into a merged suggestion merges into the one it was merged into.
    services.merge_suggestions(suggestions=[third], into=second, editor=editor)
    third.refresh_from_db()
    assert third.duplicate_of == kept
    services.plan_suggestions(suggestions=[kept], editor=editor)
    assert set(QuestionSuggestion.objects.values_list("status", flat=True)) == {Status.PLANNED}


def test_only_suggestions_about_the_same_condition_merge(condition, editor):
    kept, other = ask(condition), ask(ConditionFactory())
    with pytest.raises(ValidationError):
        services.merge_suggestions(suggestions=[other], into=kept, editor=editor)
    other.refresh_from_db()
    assert other.duplicate_of is None
    assert other.status == Status.NEW


def test_a_linked_suggestion_is_planned_until_the_first_reviewed_answer_goes_live(
    condition, editor, announced
):
    reviewer = ReviewerFactory()
    kept, duplicate, declined = ask(condition), ask(condition), ask(condition)
    services.merge_suggestions(suggestions=[duplicate], into=kept, editor=editor)
    question = QuestionFactory(condition=condition)
    services.link_suggestions(suggestions=[kept], question=question, editor=editor)
    for row in (kept, duplicate):
        row.refresh_from_db()
        assert (row.status, row.question) == (Status.PLANNED, question)
    assert announced == []
    declined_text = declined.text
    services.decline_suggestions(suggestions=[declined], editor=editor, note="Asked before.")

    answer_live(question, editor, reviewer)

    assert announced == [
        (question, sorted([kept.pk, duplicate.pk]), [kept.member, duplicate.member])
    ]
    for row in (kept, duplicate):
        row.refresh_from_db()
        assert row.status == Status.ANSWERED
        assert row.answered_at is not None
    declined.refresh_from_db()
    assert declined.status == Status.DECLINED
    assert declined.text == declined_text


def test_a_later_review_of_the_answer_announces_nothing_again(condition, editor, announced):
    reviewer = ReviewerFactory()
    suggestion = ask(condition)
    question = QuestionFactory(condition=condition)
    services.link_suggestions(suggestions=[suggestion], question=question, editor=editor)
    answer_live(question, editor, reviewer)
    answer_live(question, editor, reviewer)
    answer_live(question, editor, reviewer, kind="editorial")
    assert len(announced) == 1


def test_linking_to_a_question_already_answered_answers_at_once(condition, editor, announced):
    question = published_question(condition=condition)
    suggestion = ask(condition)
    services.link_suggestions(suggestions=[suggestion], question=question, editor=editor)
    suggestion.refresh_from_db()
    assert suggestion.status == Status.ANSWERED
    assert announced == [(question, [suggestion.pk], [suggestion.member])]
    # A duplicate merged in later is answered, and announced, on its own.
    late = ask(condition)
    services.merge_suggestions(suggestions=[late], into=suggestion, editor=editor)
    late.refresh_from_db()
    assert late.status == Status.ANSWERED
    assert late.question == question
    assert announced[1] == (question, [late.pk], [late.member])


def test_a_question_about_another_condition_cannot_answer_a_suggestion(condition, editor):
    suggestion = ask(condition)
    with pytest.raises(ValidationError):
        services.link_suggestions(
            suggestions=[suggestion], question=QuestionFactory(), editor=editor
        )
    suggestion.refresh_from_db()
    assert suggestion.question is None
    assert suggestion.status == Status.NEW


def test_an_approval_that_fails_after_marking_leaves_nothing_half_written(
    condition, editor, announced
):
    reviewer = ReviewerFactory()
    suggestion = ask(condition)
    question = QuestionFactory(condition=condition)
    services.link_suggestions(suggestions=[suggestion], question=question, editor=editor)

    def explode(**kwargs):
        raise RuntimeError("a listener failed")

    suggestions_answered.connect(explode)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            answer_live(question, editor, reviewer)
    finally:
        suggestions_answered.disconnect(explode)
    suggestion.refresh_from_db()
    question.refresh_from_db()
    assert suggestion.status == Status.PLANNED
    assert question.live_revision is None


def test_the_editors_note_is_written_to_one_suggestion(condition, editor):
    suggestion = ask(condition)
    services.write_note(suggestion=suggestion, editor=editor, note="We are looking into it.")
    suggestion.refresh_from_db()
    assert suggestion.note_to_member == "We are looking into it."
    with pytest.raises(ValidationError):
        services.write_note(suggestion=suggestion, editor=editor, note="n" * 2001)


def test_the_export_holds_the_members_suggestions_with_the_editors_note(condition, editor):
    from diseasemaps.members.services import export_data

    member = MemberFactory()
    suggestion = ask(condition, member)
    services.write_note(suggestion=suggestion, editor=editor, note="We are writing it.")
    ask(condition)  # someone else's
    rows = export_data(user=member)["answers.QuestionSuggestion.member"]
    assert len(rows) == 1
    assert rows[0]["text"] == QUESTION
    assert rows[0]["note_to_member"] == "We are writing it."
    assert rows[0]["condition__name"] == condition.name
    assert "handled_by" not in rows[0]


def test_erasure_deletes_the_suggestions_and_frees_those_merged_into_them(condition, editor):
    from diseasemaps.members.services import erase_account

    member = MemberFactory()
    kept = ask(condition, member)
    waiting, planned_kept = ask(condition), ask(condition)
    services.merge_suggestions(suggestions=[waiting], into=kept, editor=editor)
    question = QuestionFactory(condition=condition)
    mine_planned = ask(condition, member, text="Is it inherited in families?")
    services.merge_suggestions(suggestions=[planned_kept], into=mine_planned, editor=editor)
    services.link_suggestions(suggestions=[mine_planned], question=question, editor=editor)

    erase_account(user=member, keep_posts=False)

    assert not QuestionSuggestion.objects.filter(pk__in=[kept.pk, mine_planned.pk]).exists()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.duplicate_of) == (Status.NEW, None)
    planned_kept.refresh_from_db()
    assert (planned_kept.status, planned_kept.question, planned_kept.duplicate_of) == (
        Status.PLANNED,
        question,
        None,
    )
