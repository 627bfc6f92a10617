"""The editors' queue of suggested questions in the admin, and who may work on it."""

import itertools
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from diseasemaps.answers import services
from diseasemaps.answers.models import Question, QuestionSuggestion
from diseasemaps.core.services import Role
from tests.conftest import mfa_client
from tests.factories import ConditionFactory, MemberFactory, ReviewerFactory, StaffFactory

pytestmark = pytest.mark.django_db
Status = QuestionSuggestion.Status
LIST = "admin:answers_questionsuggestion_changelist"
_numbers = itertools.count()


@pytest.fixture
def condition():
    return ConditionFactory(slug="dfsp", abbreviation="DFSP")


def ask(condition, text="Can DFSP come back after Mohs surgery?", member=None):
    return services.suggest_question(
        member=member or MemberFactory(email=f"asker.canary.{next(_numbers)}@example.org"),
        condition=condition,
        text=text,
    )


def change_url(suggestion) -> str:
    return reverse("admin:answers_questionsuggestion_change", args=[suggestion.pk])


def test_the_queue_lists_filters_and_searches_without_naming_the_member(editor, condition):
    new = ask(condition)
    declined = ask(condition, "Is sunscreen enough after surgery?")
    services.decline_suggestions(suggestions=[declined], editor=editor, note="Asked before.")
    client = mfa_client(editor)
    page = client.get(reverse(LIST)).content.decode()
    assert new.text in page
    assert declined.text in page
    assert "asker.canary" not in page
    assert new.member.member_profile.display_name not in page
    open_only = client.get(reverse(LIST), {"queue": "open"}).content.decode()
    assert new.text in open_only
    assert declined.text not in open_only
    by_status = client.get(reverse(LIST), {"status__exact": "declined"}).content.decode()
    assert declined.text in by_status
    assert new.text not in by_status
    found = client.get(reverse(LIST), {"q": "sunscreen"}).content.decode()
    assert declined.text in found
    assert new.text not in found
    detail = client.get(change_url(new)).content.decode()
    assert "asker.canary" not in detail
    assert new.member.member_profile.display_name not in detail


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.EDITOR, 200), (Role.MEDICAL_REVIEWER, 403), (Role.MODERATOR, 403)],
)
def test_only_editors_open_the_queue(role, status, condition):
    suggestion = ask(condition)
    user = ReviewerFactory() if role == Role.MEDICAL_REVIEWER else StaffFactory(roles=[role])
    client = mfa_client(user)
    assert client.get(reverse(LIST)).status_code == status
    assert client.get(change_url(suggestion)).status_code == status


def test_the_editors_merge_the_selected_into_the_oldest(editor, condition):
    first, second = ask(condition), ask(condition, "Does DFSP come back after Mohs?")
    response = mfa_client(editor).post(
        reverse(LIST),
        {"action": "merge_selected", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.duplicate_of == first
    assert second.status == Status.MERGED
    # The kept one's page links to the list of those merged into it.
    client = mfa_client(editor)
    assert f"duplicate_of__id__exact={first.pk}" in client.get(change_url(first)).content.decode()
    merged = client.get(reverse(LIST), {"duplicate_of__id__exact": first.pk})
    assert merged.status_code == 200
    assert list(merged.context["cl"].result_list) == [second]


def test_planning_from_the_list(editor, condition):
    suggestion = ask(condition)
    mfa_client(editor).post(
        reverse(LIST), {"action": "plan_selected", "_selected_action": [suggestion.pk]}
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Status.PLANNED
    assert suggestion.handled_by == editor


def test_declining_on_the_page_needs_a_note_and_sends_it_to_the_member(editor, condition):
    suggestion = ask(condition)
    client = mfa_client(editor)
    refused = client.post(change_url(suggestion), {"decision": "decline", "note_to_member": ""})
    assert refused.status_code == 200
    assert "Write a note to the member" in refused.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == Status.NEW
    done = client.post(
        change_url(suggestion), {"decision": "decline", "note_to_member": "Answered elsewhere."}
    )
    assert done.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Status.DECLINED
    assert suggestion.note_to_member == "Answered elsewhere."


def test_a_note_alone_is_saved_through_the_service(editor, condition):
    suggestion = ask(condition)
    mfa_client(editor).post(change_url(suggestion), {"note_to_member": "We are on it."})
    suggestion.refresh_from_db()
    assert suggestion.note_to_member == "We are on it."
    assert suggestion.handled_by == editor


def test_merging_and_linking_on_the_page(editor, condition):
    kept, duplicate = ask(condition), ask(condition, "Will it come back after surgery?")
    question = Question.objects.create(condition=condition, title="Can it come back?", slug="b")
    client = mfa_client(editor)
    client.post(change_url(duplicate), {"decision": "merge", "merge_into": kept.pk})
    client.post(change_url(kept), {"decision": "link", "link_to": question.pk})
    for row in (kept, duplicate):
        row.refresh_from_db()
        assert row.question == question
        assert row.status in (Status.PLANNED,)
    assert duplicate.duplicate_of == kept


def test_making_a_question_from_suggestions_opens_the_add_form_filled_in(editor, condition):
    first, second = ask(condition), ask(condition, "Does it come back after Mohs surgery?")
    client = mfa_client(editor)
    response = client.post(
        reverse(LIST), {"action": "make_question", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    add_url = response["Location"]
    query = parse_qs(urlsplit(add_url).query)
    assert query["title"] == [first.text]
    form = client.get(add_url)
    assert form.context["adminform"].form.initial["title"] == first.text
    created = client.post(
        add_url,
        {
            "condition": condition.pk,
            "title": "Can DFSP come back after surgery?",
            "slug": "come-back",
            "position": 0,
            "review_interval_months": 12,
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )
    assert created.status_code == 302, created.context["adminform"].form.errors
    question = Question.objects.get(slug="come-back")
    assert set(question.suggestions.all()) == {first, second}
    assert {row.status for row in question.suggestions.all()} == {Status.PLANNED}
    page = client.get(reverse("admin:answers_question_change", args=[question.pk]))
    assert f"question__id__exact={question.pk}" in page.content.decode()
    linked = client.get(reverse(LIST), {"question__id__exact": question.pk})
    assert set(linked.context["cl"].result_list) == {first, second}


def test_the_suggestions_cannot_be_added_or_deleted_by_hand(editor, condition):
    suggestion = ask(condition)
    client = mfa_client(editor)
    assert client.get(reverse("admin:answers_questionsuggestion_add")).status_code == 403
    delete = reverse("admin:answers_questionsuggestion_delete", args=[suggestion.pk])
    assert client.get(delete).status_code == 403
