import pytest
from django.urls import reverse

from diseasemaps.answers.models import AnswerRevision
from tests.conftest import mfa_client
from tests.factories import QuestionFactory, RevisionFactory, published_question

pytestmark = pytest.mark.django_db


def _change_url(revision) -> str:
    return reverse("admin:answers_answerrevision_change", args=[revision.pk])


def _form_data(revision, **overrides) -> dict:
    data = {
        "short_answer": revision.short_answer,
        "body": revision.body,
        "change_summary": "Clarified the first paragraph.",
        "expected_version": revision.version,
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_a_reviewer_can_list_and_open_revisions(reviewer):
    question = published_question()
    client = mfa_client(reviewer)
    listing = client.get(reverse("admin:answers_answerrevision_changelist"))
    assert listing.status_code == 200
    assert question.title in listing.content.decode()
    assert client.get(_change_url(question.live_revision)).status_code == 200


def test_a_reviewer_sees_no_member_health_data(reviewer):
    client = mfa_client(reviewer)
    assert client.get(reverse("admin:members_membercondition_changelist")).status_code == 403
    assert client.get(reverse("admin:members_user_changelist")).status_code == 403
    assert "Member conditions" not in client.get(reverse("admin:index")).content.decode()


def test_saving_the_live_revision_makes_a_new_draft_and_leaves_the_page_alone(editor):
    question = published_question()
    live = question.live_revision
    client = mfa_client(editor)
    response = client.post(_change_url(live), _form_data(live, short_answer="Rewritten."))
    assert response.status_code == 302
    live.refresh_from_db()
    question.refresh_from_db()
    assert live.short_answer != "Rewritten."
    assert question.live_revision == live
    draft = question.revisions.get(state=AnswerRevision.State.DRAFT)
    assert draft.short_answer == "Rewritten."
    assert draft.based_on == live
    assert draft.author == editor


def test_a_superseded_revision_is_read_only(editor):
    question = published_question()
    old = question.live_revision
    old.state = AnswerRevision.State.SUPERSEDED
    old.save()
    html = mfa_client(editor).get(_change_url(old)).content.decode()
    assert 'name="short_answer"' not in html


def test_two_editors_on_one_draft_the_second_gets_their_text_back(editor):
    draft = RevisionFactory(question=QuestionFactory())
    first, second = mfa_client(editor), mfa_client(editor)
    # Both load the form before either saves.
    assert first.get(_change_url(draft)).status_code == 200
    assert second.get(_change_url(draft)).status_code == 200
    assert first.post(_change_url(draft), _form_data(draft, body="First.")).status_code == 302
    response = second.post(_change_url(draft), _form_data(draft, body="Second editor's text."))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this draft" in html
    assert "Second editor&#x27;s text." in html
    draft.refresh_from_db()
    assert draft.body == "First."


def test_the_preview_renders_a_draft_as_the_public_page(reviewer):
    draft = RevisionFactory(short_answer="Draft short answer.")
    client = mfa_client(reviewer)
    response = client.get(reverse("admin:answers_answerrevision_preview", args=[draft.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft short answer." in html
    assert "Visitors do not see this text" in html


def test_the_preview_is_refused_to_members(member_client):
    draft = RevisionFactory()
    response = member_client.get(reverse("admin:answers_answerrevision_preview", args=[draft.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_editor_can_add_a_draft_for_a_question(editor):
    question = QuestionFactory()
    client = mfa_client(editor)
    data = _form_data(RevisionFactory.build(), question=question.pk)
    data.pop("expected_version")
    response = client.post(reverse("admin:answers_answerrevision_add"), data)
    assert response.status_code == 302
    assert question.revisions.get().state == AnswerRevision.State.DRAFT
