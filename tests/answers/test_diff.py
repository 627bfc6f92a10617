import pytest
from django.urls import reverse

from diseasemaps.answers import services
from diseasemaps.answers.diff import diff_text
from tests.conftest import mfa_client
from tests.factories import QuestionFactory


def _kinds(lines):
    return [line.kind for line in lines]


def test_unchanged_text_has_no_changes():
    assert _kinds(diff_text("a\nb", "a\nb")) == ["same", "same"]


def test_added_and_removed_lines_are_marked():
    assert _kinds(diff_text("a\nb\nc", "a\nc\nd")) == ["same", "removed", "same", "added"]


def test_a_changed_line_is_compared_word_by_word():
    (line,) = diff_text("Take 400 mg daily.", "Take 600 mg daily.")
    assert line.kind == "changed"
    assert [(s.kind, s.text) for s in line.old if s.kind != "same"] == [("removed", "400")]
    assert [(s.kind, s.text) for s in line.new if s.kind != "same"] == [("added", "600")]
    assert "".join(s.text for s in line.new) == "Take 600 mg daily."


def test_text_from_nothing_is_all_added():
    assert _kinds(diff_text("", "one\ntwo")) == ["added", "added"]


@pytest.mark.django_db
def test_markup_in_a_revision_is_shown_as_text_in_the_diff(editor, reviewer):
    question = QuestionFactory()
    first = services.create_draft(question=question, author=editor, short_answer="S.", body="B.")
    services.discard_draft(revision=first, actor=editor)
    second = services.create_draft(
        question=question,
        author=editor,
        short_answer="S.",
        body='B. <script>alert(1)</script> <b onmouseover="x()">hi</b>',
    )
    client = mfa_client(reviewer)
    url = reverse("admin:answers_answerrevision_diff", args=[second.pk])
    html = client.get(url, {"against": first.pk}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "<b onmouseover" not in html
