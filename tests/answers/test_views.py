import json
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diseasemaps.experiences.models import Experience
from diseasemaps.members.models import MemberCondition
from tests.factories import (
    ExperienceFactory,
    MemberConditionFactory,
    RevisionFactory,
    SourceFactory,
    published_question,
)

pytestmark = pytest.mark.django_db

LIVING_WITH = MemberCondition.Relationship.LIVING_WITH
CARING_FOR = MemberCondition.Relationship.CARING_FOR


@pytest.fixture
def question():
    return published_question(
        title="What is the standard approach to treating it?",
        condition__name="Dermatofibrosarcoma Protuberans",
        condition__abbreviation="DFSP",
    )


def _page(client, question, **params) -> str:
    response = client.get(question.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_reviewed_answer_as_in_the_seed(client, question):
    SourceFactory(revision=question.live_revision, title="Clinical guideline", year=2024)
    html = _page(client, question)
    assert "Short answer · Medically reviewed summary · Last updated:" in html
    assert '<h1 id="question-title">What is the standard approach to treating it?</h1>' in html
    assert html.count("<h1") == 1
    assert question.live_revision.short_answer in html
    assert "<li>one</li>" in html
    assert re.search(r"Medically reviewed by <a href=\"/reviewers/[\w-]+/\">Dr Reviewer", html)
    assert "Clinical guideline" in html
    assert "Medical disclaimer:" in html


def test_a_draft_is_never_shown_to_visitors(client, question):
    RevisionFactory(question=question, short_answer="DRAFT TEXT NOT YET REVIEWED")
    assert "DRAFT TEXT NOT YET REVIEWED" not in _page(client, question)


def test_a_question_without_a_live_answer_is_not_found(client):
    draft = RevisionFactory()
    assert client.get(draft.question.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        (0, "No one with Dermatofibrosarcoma Protuberans (DFSP) has shared"),
        (1, "1 person with Dermatofibrosarcoma Protuberans (DFSP) has shared their"),
        (2, "2 people with Dermatofibrosarcoma Protuberans (DFSP) have shared their"),
    ],
)
def test_the_experiences_line_counts_people_with_correct_plurals(
    client, question, people, expected
):
    ExperienceFactory.create_batch(people, question=question)
    assert expected in _page(client, question)


def test_the_experiences_line_counts_people_not_posts(client, question):
    author = ExperienceFactory(question=question).author
    ExperienceFactory(question=question, author=author)
    former = uuid.uuid4()
    ExperienceFactory.create_batch(
        2, question=question, author=None, written_as=LIVING_WITH, former_author_key=former
    )
    ExperienceFactory(
        question=question, author=None, written_as=LIVING_WITH, former_author_key=uuid.uuid4()
    )
    ExperienceFactory(question=question, status=Experience.Status.PENDING, approved_at=None)
    ExperienceFactory(question=question, is_hidden=True)
    # one author with two posts, a former member with two kept posts, another with one
    assert "3 people with" in _page(client, question)


def test_a_caregivers_post_is_counted_in_their_own_words_on_the_page_and_in_its_data(
    client, question
):
    ExperienceFactory.create_batch(2, question=question)
    ExperienceFactory(question=question, written_as=CARING_FOR)
    html = _page(client, question)
    sentence = (
        "2 people with Dermatofibrosarcoma Protuberans (DFSP), and 1 person caring for someone "
        "with it, have shared their first-person experience"
    )
    assert f'<a href="#experiences">{sentence} on this question at DiseaseMaps.</a>' in html
    assert "3 people" not in html
    (data,) = [
        block
        for block in map(json.loads, re.findall(r'"application/ld\+json">(.*?)</script>', html))
        if block["@type"] == "MedicalWebPage"
    ]
    assert data["hasPart"]["description"] == f"{sentence}. Moderated, not medically reviewed."


def test_only_caregivers_having_shared_reads_as_no_one_with_the_condition_yet(client, question):
    ExperienceFactory(question=question, written_as=CARING_FOR)
    assert (
        "No one with Dermatofibrosarcoma Protuberans (DFSP) has shared their first-person "
        "experience on this question yet; 1 person caring for someone with it has."
    ) in _page(client, question)


def test_posts_kept_before_authors_were_recorded_are_shown_but_not_counted(client, question):
    ExperienceFactory.create_batch(2, question=question, author=None)
    html = _page(client, question)
    assert "Members have shared their experience on this question." in html
    assert "2 people" not in html
    assert html.count("A former member") == 2


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (1, "1 member of the DiseaseMaps community living with this condition"),
        (2, "2 members of the DiseaseMaps community living with this condition"),
    ],
)
def test_the_community_line_has_correct_plurals(client, question, settings, members, expected):
    settings.DISEASEMAPS_COMMUNITY_FLOOR = 0
    MemberConditionFactory.create_batch(members, condition=question.condition)
    assert expected in _page(client, question)


def test_a_small_community_is_not_given_as_an_exact_figure(client, question):
    MemberConditionFactory.create_batch(3, condition=question.condition)
    html = _page(client, question)
    assert "Fewer than 10 members of the DiseaseMaps community live with this condition" in html
    assert "3 members" not in html


def test_experiences_are_paginated_twenty_a_page(client, question):
    ExperienceFactory.create_batch(21, question=question)
    assert _page(client, question).count('class="experience"') == 20
    assert _page(client, question, page=2).count('class="experience"') == 1


def test_members_only_posts_show_no_text_or_pseudonym_to_visitors(client, question):
    post = ExperienceFactory(
        question=question, audience=Experience.Audience.MEMBERS, body="Private words."
    )
    html = _page(client, question)
    assert "A member shared an experience (members only)" in html
    assert "Private words." not in html
    assert post.author.member_profile.display_name not in html


def test_members_see_members_only_posts(member_client, question):
    ExperienceFactory(question=question, audience=Experience.Audience.MEMBERS, body="Private.")
    assert "Private." in _page(member_client, question)


def test_a_post_whose_author_left_says_a_former_member(client, question):
    ExperienceFactory(question=question, author=None)
    assert "A former member" in _page(client, question)


def test_the_query_count_does_not_grow_with_the_number_of_experiences(client, question):
    ExperienceFactory.create_batch(2, question=question)
    with CaptureQueriesContext(connection) as with_two:
        _page(client, question)
    ExperienceFactory.create_batch(498, question=question)
    with CaptureQueriesContext(connection) as with_five_hundred:
        _page(client, question)
    assert len(with_five_hundred) == len(with_two)
    assert len(with_two) <= 9  # one of them: the replies under every post of the page
