import re

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from diseasemaps.answers import services
from diseasemaps.answers.models import AnswerFeedback
from diseasemaps.answers.views import FEEDBACK_LIMIT
from tests.factories import RevisionFactory, published_question

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, which outlives a test; each test starts afresh."""
    cache.clear()


@pytest.fixture
def question():
    return published_question()


def _url(name: str, question) -> str:
    return reverse(
        f"answers:{name}", kwargs={"condition_slug": question.condition.slug, "slug": question.slug}
    )


# --- services ---


def test_helpfulness_is_recorded_against_the_revision_being_read(question):
    feedback = services.record_helpfulness(question=question, is_helpful=False, message="Long.")
    assert feedback.kind == AnswerFeedback.Kind.HELPFUL
    assert feedback.revision == question.live_revision
    assert (feedback.is_helpful, feedback.message) == (False, "Long.")
    assert not feedback.is_resolved


def test_an_error_report_needs_a_message(question):
    with pytest.raises(ValidationError, match="Tell us what is wrong"):
        services.report_error(question=question, message="   ")
    assert not AnswerFeedback.objects.exists()


def test_feedback_over_the_length_limit_is_refused(question):
    with pytest.raises(ValidationError, match="Keep it to 2000"):
        services.report_error(question=question, message="x" * 2001)


def test_a_reviewer_resolves_feedback_once(question, reviewer):
    feedback = services.report_error(question=question, message="Dose is wrong.")
    services.resolve_feedback(feedback=feedback, reviewer=reviewer, note="Fixed in rev 2.")
    feedback.refresh_from_db()
    assert feedback.resolved_by == reviewer
    assert feedback.resolution_note == "Fixed in rev 2."
    with pytest.raises(ValidationError, match="already resolved"):
        services.resolve_feedback(feedback=feedback, reviewer=reviewer)


def test_an_editor_cannot_resolve_feedback(question, editor):
    feedback = services.report_error(question=question, message="Dose is wrong.")
    with pytest.raises(PermissionDenied):
        services.resolve_feedback(feedback=feedback, reviewer=editor)


# --- pages ---


def test_the_question_page_links_to_both_feedback_pages_and_holds_no_form(client, question):
    response = client.get(question.get_absolute_url())
    html = response.content.decode()
    assert f'href="{_url("feedback-helpful", question)}"' in html
    assert f'href="{_url("feedback-error", question)}"' in html
    # The header's search is a GET form; nothing on the page posts or needs a CSRF cookie.
    assert 'method="post"' not in html.lower()
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies


def test_a_reader_says_an_answer_helped_and_sees_a_thank_you_page(client, question):
    assert client.get(_url("feedback-helpful", question)).status_code == 200
    response = client.post(
        _url("feedback-helpful", question), {"is_helpful": "yes", "message": ""}, follow=True
    )
    assert response.redirect_chain[-1][0] == _url("feedback-thanks", question)
    assert "<h1>Thank you</h1>" in response.content.decode()
    feedback = AnswerFeedback.objects.get()
    assert feedback.is_helpful is True


def test_a_reader_reports_an_error_which_lands_in_the_queue(client, question):
    response = client.post(_url("feedback-error", question), {"message": "The dose is 400 mg."})
    assert response.status_code == 302
    feedback = AnswerFeedback.objects.unresolved().get()
    assert (feedback.kind, feedback.message) == (AnswerFeedback.Kind.ERROR, "The dose is 400 mg.")


def test_an_empty_report_is_refused_with_a_clear_error_and_nothing_saved(client, question):
    response = client.post(_url("feedback-error", question), {"message": ""})
    assert response.status_code == 200
    assert "Tell us what is wrong" in response.content.decode()
    assert not AnswerFeedback.objects.exists()


def test_an_unanswered_helpful_question_keeps_what_was_typed(client, question):
    response = client.post(_url("feedback-helpful", question), {"message": "Needs more on X."})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose yes or no." in html
    assert "Needs more on X." in html


def test_feedback_is_rate_limited_and_the_text_is_kept(client, question):
    for _ in range(FEEDBACK_LIMIT.limit):
        assert client.post(_url("feedback-error", question), {"message": "x"}).status_code == 302
    response = client.post(_url("feedback-error", question), {"message": "One more report."})
    assert response.status_code == 429
    assert "try again later" in response.content.decode()
    assert "One more report." in response.content.decode()
    assert AnswerFeedback.objects.count() == FEEDBACK_LIMIT.limit


def test_feedback_and_history_pages_of_an_unpublished_question_are_not_found(client):
    draft = RevisionFactory()
    for name in ("feedback-helpful", "feedback-error", "feedback-thanks", "question-history"):
        assert client.get(_url(name, draft.question)).status_code == 404, name
        assert client.post(_url(name, draft.question), {"message": "x"}).status_code == 404, name
    assert not AnswerFeedback.objects.exists()


def test_no_reader_identity_is_stored_with_feedback(member_client, question):
    member_client.post(_url("feedback-error", question), {"message": "Typo."})
    stored = AnswerFeedback.objects.values().get()
    assert not {"user_id", "ip", "ip_address", "email"} & set(stored)


@pytest.mark.parametrize("name", ["feedback-helpful", "feedback-error"])
def test_the_feedback_forms_carry_a_csrf_token_and_pass_the_check(question, name):
    client = Client(enforce_csrf_checks=True)
    html = client.get(_url(name, question)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = {"csrfmiddlewaretoken": token, "is_helpful": "yes", "message": "Clear."}
    assert client.post(_url(name, question), data).status_code == 302
