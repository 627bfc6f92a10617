"""The reviewers' admin: the review page, diffs, queues, actions and the feedback queue."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diseasemaps.answers import services
from diseasemaps.answers.models import AnswerFeedback, AnswerRevision
from tests.conftest import mfa_client
from tests.factories import QuestionFactory, ReviewerFactory, SourceFactory, published_question

pytestmark = pytest.mark.django_db

State = AnswerRevision.State


def _client(user) -> Client:
    return mfa_client(user)


def _in_review(question, editor, **content):
    values = {"short_answer": "Short.", "body": "Body.", "change_summary": "Why."}
    draft = services.create_draft(question=question, author=editor, **{**values, **content})
    return services.submit_for_review(revision=draft, actor=editor)


def _run_action(user, action: str, revision):
    return _client(user).post(
        reverse("admin:answers_answerrevision_changelist"),
        {"action": action, "_selected_action": [revision.pk]},
    )


def _review_url(revision) -> str:
    return reverse("admin:answers_answerrevision_review", args=[revision.pk])


def _decision(revision, **fields) -> dict:
    data = {
        "decision": "approve_full",
        "change_summary": "Checked the whole answer.",
        "next_review_on": "",
        "note": "",
        "version": revision.version,
    }
    data.update(fields)
    return data


def test_a_reviewer_approves_from_the_review_page_and_the_page_goes_live(editor, reviewer):
    question = published_question()
    draft = _in_review(question, editor, body="New paragraph.")
    client = _client(reviewer)
    page = client.get(_review_url(draft))
    assert page.status_code == 200
    assert '<ins class="diff-ins">New</ins> paragraph.' in page.content.decode()
    response = client.post(_review_url(draft), _decision(draft, next_review_on="2027-01-15"))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.live_revision == draft
    draft.refresh_from_db()
    assert draft.next_review_on == datetime.date(2027, 1, 15)
    assert draft.change_summary == "Checked the whole answer."


def test_an_editorial_approval_from_the_review_page_keeps_the_review_date(editor, reviewer):
    question = published_question()
    draft = _in_review(question, editor)
    _client(reviewer).post(_review_url(draft), _decision(draft, decision="approve_editorial"))
    draft.refresh_from_db()
    assert draft.review_kind == AnswerRevision.ReviewKind.EDITORIAL
    assert draft.reviewed_on == datetime.date(2026, 5, 8)


def test_requesting_changes_without_a_note_shows_the_error_and_keeps_the_form(editor, reviewer):
    draft = _in_review(QuestionFactory(), editor)
    response = _client(reviewer).post(
        _review_url(draft),
        _decision(draft, decision="request_changes", change_summary="Kept text."),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Write what needs to change." in html
    assert 'value="Kept text."' in html
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_the_author_is_told_they_cannot_approve_their_own_revision():
    author = ReviewerFactory(roles=["Medical reviewer", "Editor"])
    draft = _in_review(QuestionFactory(), author)
    response = _client(author).post(_review_url(draft), _decision(draft))
    assert "The author of a revision cannot approve it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_a_reviewer_who_read_an_older_text_is_told_to_read_it_again(editor, reviewer):
    draft = _in_review(QuestionFactory(), editor)
    client = _client(reviewer)
    data = _decision(draft)
    client.get(_review_url(draft))
    services.update_draft(
        revision=draft,
        editor=editor,
        expected_version=draft.version,
        short_answer="Changed.",
        body="Changed.",
        change_summary="Why.",
    )
    response = client.post(_review_url(draft), data)
    assert "edited after you opened it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_editors_cannot_open_the_review_page(editor):
    draft = _in_review(QuestionFactory(), editor)
    assert _client(editor).get(_review_url(draft)).status_code == 403


def test_the_diff_compares_any_two_revisions_with_our_own_classes(editor, reviewer):
    question = published_question()
    SourceFactory(revision=question.live_revision, title="Old source")
    first = question.live_revision
    draft = _in_review(question, editor, short_answer="A brand new summary.")
    draft.sources.update(title="New source")
    services.approve_revision(revision=draft, reviewer=reviewer)
    third = _in_review(question, editor, short_answer="Third summary.")
    url = reverse("admin:answers_answerrevision_diff", args=[third.pk])
    html = _client(reviewer).get(url, {"against": first.pk}).content.decode()
    assert '<del class="diff-del">A</del>' in html or '<del class="diff-del">' in html
    assert '<ins class="diff-ins">Third</ins>' in html
    assert '<del class="diff-del">Old</del>' in html
    assert "style=" not in html.split('<div id="content-main"')[1]
    default = _client(reviewer).get(url).content.decode()
    assert "from revision 2 to revision 3" in default


def test_the_review_queue_filters(editor, reviewer):
    today = timezone.localdate()
    mine = _in_review(QuestionFactory(title="Mine to review?"), editor)
    own = _in_review(QuestionFactory(title="My own work?"), reviewer)
    overdue = published_question(title="Overdue answer?").live_revision
    overdue.next_review_on = today - datetime.timedelta(days=3)
    overdue.save()
    due = published_question(title="Due answer?").live_revision
    due.next_review_on = today + datetime.timedelta(days=10)
    due.save()
    client = _client(reviewer)
    url = reverse("admin:answers_answerrevision_changelist")

    def titles(queue):
        listing = client.get(url, {"queue": queue}).context["cl"].result_list
        return {revision.question.title for revision in listing}

    assert titles("awaiting") == {mine.question.title}
    assert own.question.title not in titles("awaiting")
    assert titles("overdue") == {"Overdue answer?"}
    assert titles("due") == {"Due answer?"}


def test_the_editorial_approval_action_calls_the_service(editor, reviewer):
    question = published_question()
    draft = _in_review(question, editor)
    response = _run_action(reviewer, "approve_editorial_change", draft)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.APPROVED
    assert draft.events.last().actor == reviewer


def test_editors_are_not_offered_the_approval_actions(editor):
    response = _client(editor).get(reverse("admin:answers_answerrevision_changelist"))
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "send_for_review" in actions
    assert "approve_full_review" not in actions
    assert "approve_editorial_change" not in actions


def test_an_editor_cannot_approve_through_the_action_even_by_posting_it(editor):
    draft = _in_review(QuestionFactory(), editor)
    _run_action(editor, "approve_full_review", draft)
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_discarding_through_the_admin_action(editor):
    draft = services.create_draft(
        question=QuestionFactory(), author=editor, short_answer="S.", body="B."
    )
    _run_action(editor, "discard_drafts", draft)
    draft.refresh_from_db()
    assert draft.state == State.DISCARDED


def test_the_change_form_refuses_a_javascript_link_with_a_clear_error_and_keeps_the_text(editor):
    draft = services.create_draft(
        question=QuestionFactory(), author=editor, short_answer="S.", body="B."
    )
    body = "See [this](javascript:alert(document.cookie))."
    response = _client(editor).post(
        reverse("admin:answers_answerrevision_change", args=[draft.pk]),
        {
            "short_answer": "S.",
            "body": body,
            "change_summary": "x",
            "expected_version": draft.version,
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Links must be full http:// or https:// addresses" in html
    assert "javascript:alert(document.cookie)" in html
    draft.refresh_from_db()
    assert draft.body == "B."


def test_a_source_with_a_javascript_link_is_refused(editor):
    draft = services.create_draft(
        question=QuestionFactory(), author=editor, short_answer="S.", body="B."
    )
    response = _client(editor).post(
        reverse("admin:answers_answerrevision_change", args=[draft.pk]),
        {
            "short_answer": "S.",
            "body": "B.",
            "change_summary": "Adds a source.",
            "expected_version": draft.version,
            "sources-TOTAL_FORMS": "1",
            "sources-INITIAL_FORMS": "0",
            "sources-0-position": "1",
            "sources-0-title": "Bad",
            "sources-0-url": "javascript:alert(1)",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not draft.sources.exists()


def test_changing_sources_is_a_draft_revision_like_any_other(editor, reviewer):
    question = published_question()
    live = question.live_revision
    SourceFactory(revision=live, title="Old guideline")
    client = _client(editor)
    client.post(
        reverse("admin:answers_answerrevision_change", args=[live.pk]),
        {
            "short_answer": live.short_answer,
            "body": live.body,
            "change_summary": "Replaces the guideline.",
            "expected_version": live.version,
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    draft = question.revisions.get(state=State.DRAFT)
    copied = draft.sources.get()
    response = client.post(
        reverse("admin:answers_answerrevision_change", args=[draft.pk]),
        {
            "short_answer": draft.short_answer,
            "body": draft.body,
            "change_summary": "Replaces the guideline.",
            "expected_version": draft.version,
            "sources-TOTAL_FORMS": "1",
            "sources-INITIAL_FORMS": "1",
            "sources-0-id": copied.pk,
            "sources-0-revision": draft.pk,
            "sources-0-position": "1",
            "sources-0-title": "2024 guideline",
            "sources-0-url": "https://example.org/guideline",
            "sources-0-doi": "10.1000/g2024",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert [s.title for s in live.sources.all()] == ["Old guideline"]
    assert [s.doi for s in draft.sources.all()] == ["10.1000/g2024"]
    services.submit_for_review(revision=draft, actor=editor)
    services.approve_revision(revision=draft, reviewer=reviewer)
    html = Client().get(question.get_absolute_url()).content.decode()
    assert "2024 guideline" in html
    assert "Old guideline" not in html


def test_reader_feedback_queue_for_reviewers(reviewer, editor):
    question = published_question()
    report = services.report_error(question=question, message="Wrong dose.")
    client = _client(reviewer)
    url = reverse("admin:answers_answerfeedback_changelist")
    listing = client.get(url, {"status": "open"})
    assert "Wrong dose." in listing.content.decode()
    client.post(url, {"action": "mark_resolved", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.resolved_by == reviewer
    assert AnswerFeedback.objects.unresolved().count() == 0
    # Editors can read the queue but not resolve it.
    editor_page = _client(editor).get(url)
    assert editor_page.status_code == 200
    assert "mark_resolved" not in editor_page.content.decode()


def test_only_a_reviewer_may_change_the_review_interval(editor, reviewer):
    question = QuestionFactory()
    url = reverse("admin:answers_question_change", args=[question.pk])
    data = {
        "condition": question.condition.pk,
        "title": question.title,
        "slug": question.slug,
        "position": 0,
        "review_interval_months": 6,
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    assert 'name="review_interval_months"' not in _client(editor).get(url).content.decode()
    _client(editor).post(url, data)
    question.refresh_from_db()
    assert question.review_interval_months == 12
    assert _client(reviewer).post(url, data).status_code == 302
    question.refresh_from_db()
    assert question.review_interval_months == 6


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:members_membercondition_changelist",
        "admin:members_memberprofile_changelist",
        "admin:members_user_changelist",
        "admin:experiences_experience_changelist",
    ],
)
def test_a_reviewer_sees_no_member_data_anywhere_in_the_admin(reviewer, changelist):
    client = _client(reviewer)
    assert client.get(reverse(changelist)).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    for section in ("Member conditions", "Member profiles", "Users", "Experiences"):
        assert section not in index


def test_a_reviewer_resolves_feedback_with_a_note_from_its_page(reviewer):
    report = services.report_error(question=published_question(), message="Wrong dose.")
    url = reverse("admin:answers_answerfeedback_change", args=[report.pk])
    client = _client(reviewer)
    unticked = client.post(url, {"resolution_note": "Checked: the dose is right."})
    assert "Tick “Mark as resolved”" in unticked.content.decode()
    assert "Checked: the dose is right." in unticked.content.decode()
    report.refresh_from_db()
    assert not report.is_resolved
    client.post(url, {"resolution_note": "Checked: the dose is right.", "resolve": "on"})
    report.refresh_from_db()
    assert report.resolved_by == reviewer
    assert report.resolution_note == "Checked: the dose is right."
    assert 'name="resolution_note"' not in client.get(url).content.decode()


def test_an_editor_reads_feedback_but_cannot_resolve_it(editor):
    report = services.report_error(question=published_question(), message="Wrong dose.")
    url = reverse("admin:answers_answerfeedback_change", args=[report.pk])
    page = _client(editor).get(url)
    assert page.status_code == 200
    assert "Wrong dose." in page.content.decode()
    assert 'name="resolve"' not in page.content.decode()
    _client(editor).post(url, {"resolution_note": "x", "resolve": "on"})
    report.refresh_from_db()
    assert not report.is_resolved


def test_the_review_page_shows_what_changed_before_the_decision_form(editor, reviewer):
    draft = _in_review(published_question(), editor, body="New paragraph.")
    html = _client(reviewer).get(_review_url(draft)).content.decode()
    changes = html.index('<h2 id="review-changes-heading">What changed since revision 1</h2>')
    diff = html.index('<ins class="diff-ins">New</ins>')
    form = html.index('<form method="post" class="review-decision"')
    assert changes < diff < form


def test_sending_a_draft_for_review_says_that_it_is_now_in_review(editor):
    draft = services.create_draft(
        question=QuestionFactory(title="Is it inherited?"),
        author=editor,
        short_answer="S.",
        body="B.",
    )
    response = _client(editor).post(
        reverse("admin:answers_answerrevision_changelist"),
        {"action": "send_for_review", "_selected_action": [draft.pk]},
        follow=True,
    )
    said = [str(message) for message in response.context["messages"]]
    assert said == [
        f"Revision {draft.number} of “Is it inherited?” is now in review. "
        "Medical reviewers find it under “Awaiting my review”."
    ]


def test_a_refused_move_says_why_and_names_the_revision(editor):
    draft = _in_review(QuestionFactory(), editor)
    response = _client(editor).post(
        reverse("admin:answers_answerrevision_changelist"),
        {"action": "send_for_review", "_selected_action": [draft.pk]},
        follow=True,
    )
    said = [str(message) for message in response.context["messages"]]
    assert said == [f"{draft}: A revision that is in review cannot be sent for review."]


def _change_form(draft, **fields) -> dict:
    return {
        "short_answer": draft.short_answer,
        "body": draft.body,
        "change_summary": draft.change_summary,
        "expected_version": draft.version,
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        **fields,
    }


def test_saving_a_draft_ten_times_in_the_admin_is_one_edit_in_its_history(editor, reviewer):
    draft = services.create_draft(
        question=QuestionFactory(), author=editor, short_answer="S.", body="B."
    )
    client = _client(editor)
    url = reverse("admin:answers_answerrevision_change", args=[draft.pk])
    for n in range(10):
        draft.refresh_from_db()
        response = client.post(url, _change_form(draft, body=f"Take {n}.", _continue="1"))
        assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.body == "Take 9."
    assert [(e.is_edit, e.save_count) for e in draft.events.all()] == [(False, 1), (True, 10)]

    services.submit_for_review(revision=draft, actor=editor)
    history = _client(reviewer).get(_review_url(draft)).content.decode()
    history = history.split("History of this revision")[1]
    assert history.count("<li>") == 3
    assert "edited the text (Draft; 10 saves, the last at" in history
    change_page = client.get(url).content.decode()
    assert re.search(r'class="field-save_count">\s*<p>10</p>', change_page)


def test_a_source_link_with_a_quote_is_refused_in_the_admin_and_the_typing_is_kept(editor):
    draft = services.create_draft(
        question=QuestionFactory(), author=editor, short_answer="S.", body="B."
    )
    url = 'https://example.org/paper"><script>alert(1)</script>'
    response = _client(editor).post(
        reverse("admin:answers_answerrevision_change", args=[draft.pk]),
        _change_form(
            draft,
            **{
                "sources-TOTAL_FORMS": "1",
                "sources-0-position": "1",
                "sources-0-title": "A guideline",
                "sources-0-url": url,
            },
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "A link cannot contain quotes or angle brackets (found &quot; &lt; &gt;)" in html
    assert 'value="A guideline"' in html
    assert "https://example.org/paper&quot;&gt;&lt;script&gt;" in html
    assert not draft.sources.exists()
