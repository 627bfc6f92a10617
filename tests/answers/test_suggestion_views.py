"""The "Ask a question" form, a member's list of their suggestions, and their privacy."""

import pytest
from django.test import Client
from django.urls import reverse

from diseasemaps.answers import services
from diseasemaps.answers.models import QuestionSuggestion
from diseasemaps.experiences.models import MemberStanding
from tests.factories import ConditionFactory, MemberFactory, StaffFactory, published_question

pytestmark = pytest.mark.django_db
SECRET = "Canaryasked whether zebrafishcanary creams help?"


@pytest.fixture
def condition():
    return ConditionFactory(
        slug="dfsp", name="Dermatofibrosarcoma protuberans", abbreviation="DFSP"
    )


def ask_url(condition) -> str:
    return reverse("pages:ask-question", kwargs={"slug": condition.slug})


def test_the_condition_page_explains_asking_and_links_to_the_form(client, member, condition):
    page = client.get(condition.get_absolute_url()).content.decode()
    assert "Ask a question about DFSP" in page
    assert "never published" in page
    assert "merge" in page
    assert f"/accounts/login/?next={ask_url(condition)}" in page
    member_client = Client()
    member_client.force_login(member)
    page = member_client.get(condition.get_absolute_url()).content.decode()
    assert f'href="{ask_url(condition)}"' in page


def test_a_suggestion_changes_nothing_a_visitor_sees_on_the_condition_page(settings, condition):
    settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 0  # made afresh each time, not from the cache
    first = Client().get(condition.get_absolute_url()).content
    services.suggest_question(member=MemberFactory(), condition=condition, text=SECRET)
    second = Client().get(condition.get_absolute_url()).content
    assert first == second
    assert b"Log in to ask a question" in first


def test_the_form_needs_a_log_in(client, condition):
    response = client.get(ask_url(condition))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_member_asks_and_sees_it_listed_with_its_status(member_client, member, condition):
    form = member_client.get(ask_url(condition))
    assert form.status_code == 200
    key = form.context["form"].initial["submission_key"]
    data = {"text": "Can it come back after Mohs surgery?", "details": "", "submission_key": key}
    response = member_client.post(ask_url(condition), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("answers:my-suggestions")
    assert member_client.post(ask_url(condition), data).status_code == 302  # double click
    assert QuestionSuggestion.objects.filter(member=member).count() == 1
    listing = member_client.get(reverse("answers:my-suggestions")).content.decode()
    assert "Can it come back after Mohs surgery?" in listing
    assert "New" in listing
    account = member_client.get(reverse("members:account")).content.decode()
    assert reverse("answers:my-suggestions") in account


def test_an_error_keeps_what_was_typed(member_client, condition):
    details = "Some details I typed with care."
    response = member_client.post(ask_url(condition), {"text": "Why?", "details": details})
    assert response.status_code == 400
    page = response.content.decode()
    assert "at least 10 characters" in page
    assert 'value="Why?"' in page
    assert details in page
    assert 'aria-invalid="true"' in page
    assert not QuestionSuggestion.objects.exists()


def test_contact_details_are_refused_with_the_text_kept(member_client, condition):
    text = "Can someone email me at sam@example.org?"
    response = member_client.post(ask_url(condition), {"text": text})
    assert response.status_code == 400
    assert "Please remove contact details" in response.content.decode()
    assert not QuestionSuggestion.objects.exists()


def test_past_the_rate_limit_the_form_answers_429_and_keeps_the_text(
    member_client, member, condition
):
    for n in range(services.SUGGEST_LIMIT.limit):
        services.suggest_question(member=member, condition=condition, text=f"Question {n} here?")
    response = member_client.post(ask_url(condition), {"text": "One more about DFSP?"})
    assert response.status_code == 429
    assert "One more about DFSP?" in response.content.decode()


def test_a_suspended_member_cannot_ask(member_client, member, condition):
    MemberStanding.objects.create(user=member, is_suspended=True)
    response = member_client.post(ask_url(condition), {"text": "Can it come back later?"})
    assert response.status_code == 403
    assert "suspended from posting and asking" in response.content.decode()
    assert not QuestionSuggestion.objects.exists()


def test_another_member_never_sees_my_suggestions_or_the_editors_note(member, condition, editor):
    mine = services.suggest_question(member=member, condition=condition, text=SECRET)
    services.write_note(suggestion=mine, editor=editor, note="Editorsnotecanary for you.")
    other = Client()
    other.force_login(MemberFactory())
    page = other.get(reverse("answers:my-suggestions")).content.decode()
    assert SECRET not in page
    assert "Editorsnotecanary" not in page
    me = Client()
    me.force_login(member)
    page = me.get(reverse("answers:my-suggestions")).content.decode()
    assert SECRET in page
    assert "Editorsnotecanary" in page


def test_an_answered_suggestion_links_to_the_answer(member, member_client, condition):
    editor = StaffFactory(roles=["Editor"])
    suggestion = services.suggest_question(member=member, condition=condition, text=SECRET)
    question = published_question(condition=condition, title="Do creams help with DFSP?")
    services.link_suggestions(suggestions=[suggestion], question=question, editor=editor)
    page = member_client.get(reverse("answers:my-suggestions")).content.decode()
    assert "Answered" in page
    assert question.get_absolute_url() in page


def test_the_askers_text_is_on_no_public_page(client, member, condition, editor):
    question = published_question(condition=condition, slug="standard-treatment")
    suggestion = services.suggest_question(
        member=member, condition=condition, text=SECRET, details="Detailcanary words."
    )
    services.link_suggestions(suggestions=[suggestion], question=question, editor=editor)
    from diseasemaps.search.services import rebuild_search_index

    rebuild_search_index()
    pages = [
        condition.get_absolute_url(),
        question.get_absolute_url(),
        reverse(
            "answers:question-history", kwargs={"condition_slug": "dfsp", "slug": question.slug}
        ),
        reverse("pages:sitemap"),
        reverse("pages:home"),
    ]
    for viewer in (client, Client()):
        for url in pages:
            body = viewer.get(url).content.decode()
            assert "zebrafishcanary" not in body.lower(), url
            assert "Detailcanary" not in body, url
        # The search page repeats the query: look for the rest of the text.
        for word, other in (("zebrafishcanary", "canaryasked"), ("Canaryasked", "zebrafish")):
            body = viewer.get(reverse("search:results"), {"q": word}).content.decode().lower()
            assert other not in body
            assert "detailcanary" not in body
