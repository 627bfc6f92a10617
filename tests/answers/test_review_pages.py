"""What visitors see of the review: the badge, the reviewer page, the policy and the history."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from diseasemaps.answers import services
from diseasemaps.answers.models import AnswerRevision, Question
from tests.factories import QuestionFactory, ReviewerFactory, SourceFactory, published_question

pytestmark = pytest.mark.django_db


def _history_url(question) -> str:
    return reverse(
        "answers:question-history",
        kwargs={"condition_slug": question.condition.slug, "slug": question.slug},
    )


def _badge(html: str) -> str:
    return re.search(r'<div class="review-badge.*?</div>', html, re.S).group(0)


def test_the_badge_names_the_reviewer_and_both_dates_and_links_to_the_review_pages(client):
    question = published_question()
    profile = question.live_revision.reviewer.reviewer_profile
    badge = _badge(client.get(question.get_absolute_url()).content.decode())
    assert (
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", badge))
        .strip()
        .startswith(
            f"✓ Medically reviewed by {profile.display_name}, {profile.credentials} · "
            "Last reviewed 8 May 2026 · Next review due 8 May 2027"
        )
    )
    assert f'href="{reverse("answers:reviewer", kwargs={"slug": profile.slug})}"' in badge
    assert f'href="{reverse("answers:review-policy")}"' in badge
    assert f'href="{_history_url(question)}"' in badge


def test_once_the_due_date_has_passed_the_badge_says_the_review_is_overdue(client):
    question = published_question()
    revision = question.live_revision
    revision.next_review_on = timezone.localdate() - datetime.timedelta(days=1)
    revision.save()
    badge = _badge(client.get(question.get_absolute_url()).content.decode())
    assert "review-badge--overdue" in badge
    assert "Review overdue: it was due" in badge
    assert "Next review due" not in badge


def test_on_its_due_date_the_answer_is_not_yet_overdue(client):
    question = published_question()
    question.live_revision.next_review_on = timezone.localdate()
    question.live_revision.save()
    badge = _badge(client.get(question.get_absolute_url()).content.decode())
    assert "overdue" not in badge


def test_sources_are_numbered_with_doi_and_pubmed_links(client):
    question = published_question()
    SourceFactory(revision=question.live_revision, title="First", position=1)
    SourceFactory(
        revision=question.live_revision,
        title="Second",
        position=2,
        publisher="J Dermatol",
        year=2023,
        doi="10.1000/xyz123",
        pubmed_id="123456",
    )
    html = client.get(question.get_absolute_url()).content.decode()
    assert '<li id="source-1" class="source"><a href="https://example.org/paper"' in html
    assert '<li id="source-2" class="source">' in html
    assert html.index(">First<") < html.index(">Second<")
    assert 'href="https://doi.org/10.1000/xyz123"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/123456/"' in html


def test_the_reviewer_page_shows_the_public_profile_and_what_they_reviewed(client):
    question = published_question()
    profile = question.live_revision.reviewer.reviewer_profile
    profile.bio = "Twenty years in cutaneous oncology.\n\nTeaches at a university hospital."
    profile.conflict_of_interest = "Consulting fees from a maker of imatinib."
    profile.save()
    html = client.get(reverse("answers:reviewer", kwargs={"slug": profile.slug})).content.decode()
    assert f"<h1>{profile.display_name}, {profile.credentials}</h1>" in html
    assert profile.specialty in html
    assert "<p>Teaches at a university hospital.</p>" in html
    assert "Consulting fees from a maker of imatinib." in html
    assert question.title in html
    assert profile.user.email not in html


def test_a_reviewer_page_says_none_declared_without_a_statement(client):
    reviewer = ReviewerFactory()
    slug = reviewer.reviewer_profile.slug
    html = client.get(reverse("answers:reviewer", kwargs={"slug": slug})).content.decode()
    assert "None declared." in html


def test_a_reviewers_bio_is_escaped(client):
    reviewer = ReviewerFactory(reviewer_profile__bio="<script>alert(1)</script>")
    slug = reviewer.reviewer_profile.slug
    html = client.get(reverse("answers:reviewer", kwargs={"slug": slug})).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_the_policy_page_states_the_two_person_rule_full_review_and_interval(client):
    html = client.get(reverse("answers:review-policy")).content.decode()
    assert "Two people see every change" in html
    assert "full medical review" in html
    assert "normally 12 months" in html


def test_the_history_lists_every_approved_version_newest_first(client, editor, reviewer):
    question = published_question()
    draft = services.create_draft(
        question=question, author=editor, short_answer="S.", body="B.", change_summary="Typo."
    )
    services.submit_for_review(revision=draft, actor=editor)
    services.approve_revision(
        revision=draft,
        reviewer=reviewer,
        review_kind=AnswerRevision.ReviewKind.EDITORIAL,
        on=datetime.date(2026, 9, 1),
    )
    html = client.get(_history_url(question)).content.decode()
    assert html.index("2026-09-01") < html.index("Full medical review")
    assert "Editorial change" in html
    assert "Typo." in html
    assert reviewer.reviewer_profile.display_name in html
    assert html.count('class="review-history__item"') == 2


def test_drafts_appear_on_no_public_page(client, editor, reviewer):
    question = published_question()
    draft = services.create_draft(
        question=question,
        author=editor,
        short_answer="SECRET DRAFT",
        body="SECRET BODY",
        change_summary="SECRET SUMMARY",
    )
    services.submit_for_review(revision=draft, actor=editor)
    unpublished = QuestionFactory(title="UNPUBLISHED QUESTION")
    services.create_draft(question=unpublished, author=editor, short_answer="S.", body="B.")
    profile = question.live_revision.reviewer.reviewer_profile
    pages = [
        question.get_absolute_url(),
        _history_url(question),
        reverse("answers:reviewer", kwargs={"slug": profile.slug}),
        reverse("answers:reviewer", kwargs={"slug": reviewer.reviewer_profile.slug}),
        question.condition.get_absolute_url(),
        reverse("pages:home"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        for secret in ("SECRET", "UNPUBLISHED QUESTION"):
            assert secret not in html, url
    assert client.get(unpublished.get_absolute_url()).status_code == 404


def test_the_question_page_query_count_stays_flat_with_sources(
    client, django_assert_max_num_queries
):
    question = published_question()
    SourceFactory.create_batch(10, revision=question.live_revision)
    with django_assert_max_num_queries(8):
        client.get(question.get_absolute_url())


def test_the_history_and_reviewer_pages_make_a_fixed_number_of_queries(
    client, editor, reviewer, django_assert_max_num_queries
):
    question = published_question()
    for number in range(5):
        draft = services.create_draft(
            question=question, author=editor, short_answer="S.", body=f"B{number}."
        )
        services.submit_for_review(revision=draft, actor=editor)
        services.approve_revision(
            revision=draft, reviewer=ReviewerFactory(), change_summary=f"Change {number}."
        )
    with django_assert_max_num_queries(4):
        client.get(_history_url(question))
    with django_assert_max_num_queries(4):
        client.get(reverse("answers:reviewer", kwargs={"slug": reviewer.reviewer_profile.slug}))


def test_the_demo_answer_shows_a_correct_badge_linked_to_the_demo_reviewer(client, settings):
    settings.DEBUG = True
    call_command("load_demo_content", verbosity=0)
    question = Question.objects.published().get(condition__slug="dfsp")
    badge = _badge(client.get(question.get_absolute_url()).content.decode())
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", badge))
    assert (
        "Medically reviewed by Dr Jordan Avery, MD, dermatologic surgeon · Last reviewed "
        "8 May 2026 · Next review due 8 May 2027"
    ) in text
    reviewer_page = client.get(reverse("answers:reviewer", kwargs={"slug": "jordan-avery"}))
    assert "None declared (demo profile)." in reviewer_page.content.decode()
    assert question.title in reviewer_page.content.decode()


def test_the_reviewer_page_lists_their_answers_in_pages_of_bounded_size(client, monkeypatch):
    monkeypatch.setattr("diseasemaps.answers.views.REVIEWED_PER_PAGE", 2)
    first = published_question(title="What is the first question?")
    reviewer = first.live_revision.reviewer
    for title in ("What is the second question?", "What is the third question?"):
        revision = published_question(title=title).live_revision
        revision.reviewer = reviewer
        revision.save()
    url = reverse("answers:reviewer", kwargs={"slug": reviewer.reviewer_profile.slug})

    page_one = client.get(url).content.decode()
    page_two = client.get(url + "?page=2").content.decode()

    assert page_one.count("question?</a>") == 2
    assert page_two.count("question?</a>") == 1
    assert 'rel="next" href="?page=2"' in page_one


def test_the_reviewer_page_lists_twenty_five_answers_a_page(client):
    reviewer = published_question(title="What is question 0?").live_revision.reviewer
    for number in range(1, 26):
        revision = published_question(title=f"What is question {number}?").live_revision
        revision.reviewer = reviewer
        revision.save()
    url = reverse("answers:reviewer", kwargs={"slug": reviewer.reviewer_profile.slug})

    assert client.get(url).content.decode().count("?</a>") == 25
    assert client.get(url + "?page=2").content.decode().count("?</a>") == 1
