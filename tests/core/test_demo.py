import datetime
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from diseasemaps.answers.models import AnswerRevision, Question
from diseasemaps.members.models import User
from diseasemaps.pages import demo
from diseasemaps.pages.demo import DEMO_STAFF_PASSWORD, demo_totp_codes

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, list]:
    """Every row of every table of ours, to compare before and after."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in {"sessions", "admin", "contenttypes"}:
            continue
        rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def test_loading_the_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo_content", verbosity=0)
    first = _snapshot()
    call_command("load_demo_content", verbosity=0)
    assert _snapshot() == first
    assert len(first["answers.AnswerRevision"]) == 1
    assert len(first["experiences.Experience"]) == 2
    assert [row["status"] for row in first["experiences.Reply"]] == [
        "approved",
        "approved",
        "approved",
        "pending",
    ]


def test_the_demo_page_shows_the_seed_figures_computed_from_the_database(client, settings):
    settings.DEBUG = True
    call_command("load_demo_content", verbosity=0)
    question = Question.objects.published().get(condition__slug="dfsp")
    response = client.get(question.get_absolute_url())
    html = response.content.decode()
    assert "What is the standard approach to treating Dermatofibrosarcoma Protuberans?" in html
    assert (
        "2 people with Dermatofibrosarcoma Protuberans (DFSP) have shared their first-person "
        "experience on this question at DiseaseMaps." in html
    )
    assert "172 members of the DiseaseMaps community living with this condition" in html
    assert 'Last updated: <time datetime="2026-05-08">8 May 2026</time>' in html
    assert "Imatinib mesylate" in html
    # Replies under the posts, one still waiting; they never add to the figure above.
    assert "Which kind of centre did your Mohs surgery?" in html
    assert "A university hospital with a skin cancer clinic." in html
    assert "Did you bring someone with you" not in html
    # The figure is the template's, never typed into the reviewed text.
    assert "172" not in question.live_revision.body


def test_demo_staff_can_log_in_when_debug_is_on(client, settings):
    settings.DEBUG = True
    call_command("load_demo_content", verbosity=0)
    email = "editor@demo.diseasemaps.example"
    response = client.post(
        reverse("account_login"), {"login": email, "password": DEMO_STAFF_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")  # staff use a second factor
    code = next(code for spec, _, code in demo_totp_codes() if spec.email == email)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_with_debug_off_no_staff_login_is_made_and_the_content_still_loads(client, capsys):
    call_command("load_demo_content")
    assert "DEBUG is off" in capsys.readouterr().err
    assert not [u for u in User.objects.all() if u.has_usable_password()]
    assert not User.objects.filter(is_staff=True).exists()
    question = Question.objects.published().get(condition__slug="dfsp")
    assert client.get(question.get_absolute_url()).status_code == 200


def _sources_section(html: str) -> str:
    return re.search(r'<section class="sources".*?</section>', html, re.S).group(0)


def test_the_demo_answer_cites_numbered_sources_each_with_a_doi_or_pubmed_id(client, settings):
    settings.DEBUG = True
    call_command("load_demo_content", verbosity=0)
    question = Question.objects.published().get(condition__slug="dfsp")
    html = client.get(question.get_absolute_url()).content.decode()

    items = re.findall(r'<li id="(source-\d+)" class="source">(.*?)</li>', _sources_section(html))
    assert [anchor for anchor, _ in items] == [f"source-{n}" for n in range(1, len(items) + 1)]
    assert len(items) >= 3
    for _, item in items:
        assert (
            'href="https://doi.org/10.' in item or 'href="https://pubmed.ncbi.nlm.nih.gov/' in item
        )

    body = re.search(r'<div class="answer__body prose">(.*?)</div>', html, re.S).group(1)
    cited = re.findall(r'<a href="#(source-\d+)"[^>]*>\[(\d+)\]</a>', body)
    assert cited, "the answer's text cites no source"
    anchors = {anchor for anchor, _ in items}
    for anchor, number in cited:
        assert anchor == f"source-{number}"
        assert anchor in anchors, f"[{number}] links to no source in the list"
    assert {anchor for anchor, _ in cited} == anchors, "every listed source is cited"


def test_a_database_loaded_before_the_sources_gets_them_on_the_next_run(settings, monkeypatch):
    settings.DEBUG = True
    # The demo as it was loaded before the answer cited its sources.
    monkeypatch.setattr(demo, "BODY", demo._without_citations(demo.BODY))
    monkeypatch.setattr(demo, "SOURCES", [])
    call_command("load_demo_content", verbosity=0)
    first = Question.objects.get(slug=demo.QUESTION_SLUG).live_revision
    assert not first.sources.exists()
    monkeypatch.undo()

    call_command("load_demo_content", verbosity=0)
    question = Question.objects.get(slug=demo.QUESTION_SLUG)
    live = question.live_revision
    assert live.number == 2
    assert live.review_kind == AnswerRevision.ReviewKind.EDITORIAL
    assert live.reviewed_on == first.reviewed_on == demo.REVIEWED_ON  # no claim of a new review
    assert live.updated_on == timezone.localdate()
    assert live.body == demo.BODY
    assert live.sources.count() == len(demo.SOURCES)
    first.refresh_from_db()
    assert first.state == AnswerRevision.State.SUPERSEDED

    before = _snapshot()
    call_command("load_demo_content", verbosity=0)
    assert _snapshot() == before


def test_a_demo_answer_changed_by_an_editor_is_left_alone(settings):
    settings.DEBUG = True
    call_command("load_demo_content", verbosity=0)
    live = Question.objects.get(slug=demo.QUESTION_SLUG).live_revision
    AnswerRevision.objects.filter(pk=live.pk).update(body="An editor's own text.")
    live.sources.all().delete()
    call_command("load_demo_content", verbosity=0)
    question = Question.objects.get(slug=demo.QUESTION_SLUG)
    assert question.live_revision_id == live.pk
    assert question.revisions.count() == 1
    assert datetime.date(2026, 5, 8) == question.live_revision.updated_on


def test_the_demo_has_a_suggested_question_waiting_and_one_answered(settings):
    from diseasemaps.answers.models import QuestionSuggestion

    settings.DEBUG = True
    call_command("load_demo_content", verbosity=0)
    statuses = sorted(QuestionSuggestion.objects.values_list("status", flat=True))
    assert statuses == ["answered", "new"]
    answered = QuestionSuggestion.objects.get(status="answered")
    assert answered.question.slug == "standard-treatment"
    assert answered.note_to_member
