import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diseasemaps.conditions.models import Condition
from tests.factories import (
    ConditionAliasFactory,
    ConditionFactory,
    ExperienceFactory,
    QuestionFactory,
    RevisionFactory,
    published_question,
)

pytestmark = pytest.mark.django_db


def test_the_index_shows_one_letter_at_a_time_with_aliases(client):
    dfsp = ConditionFactory(name="Dermatofibrosarcoma Protuberans", abbreviation="DFSP")
    ConditionAliasFactory(condition=dfsp, name="Darier-Ferrand tumour")
    ConditionFactory(name="Acne")
    ConditionFactory(name="22q11.2 deletion syndrome")
    html = client.get(reverse("conditions:index")).content.decode()
    assert 'href="?letter=A" aria-current="page"' in html
    assert 'href="?letter=D"' in html
    assert html.index('href="?letter=D"') < html.index('href="?letter=%23"')  # "#" comes last
    assert "Acne" in html
    assert "Dermatofibrosarcoma" not in html  # another letter's condition
    html = client.get(reverse("conditions:index"), {"letter": "d"}).content.decode()
    assert "Dermatofibrosarcoma Protuberans (DFSP)" in html
    assert "Also known as Darier-Ferrand tumour" in html
    assert "Acne</a>" not in html
    html = client.get(reverse("conditions:index"), {"letter": "#"}).content.decode()
    assert "22q11.2 deletion syndrome" in html


def test_a_letter_without_conditions_is_not_found(client):
    ConditionFactory(name="Acne")
    assert client.get(reverse("conditions:index"), {"letter": "Q"}).status_code == 404


def test_a_letter_comes_in_pages_of_bounded_size(client, monkeypatch, django_assert_num_queries):
    from diseasemaps.conditions import views

    monkeypatch.setattr(views, "CONDITIONS_PER_PAGE", 2)
    for name in ["Gout", "Glaucoma", "Gastritis", "Giardiasis", "Goitre"]:
        ConditionFactory(name=name)
    with django_assert_num_queries(4):  # letters, count, the page, its aliases
        first = client.get(reverse("conditions:index"), {"letter": "G"}).content.decode()
    assert "Page 1 of 3" in first
    assert first.count('<li>\n      <a href="/conditions/') == 2
    assert 'href="?letter=G&amp;page=2">Next</a>' in first
    last = client.get(reverse("conditions:index"), {"letter": "G", "page": "3"}).content.decode()
    assert "Page 3 of 3" in last
    assert "Previous</a>" in last


def test_a_page_of_a_letter_holds_fifty_conditions(client):
    Condition.objects.bulk_create(
        Condition(
            name=f"Gout type {n:02}", slug=f"gout-{n}", summary="A condition.", index_letter="G"
        )
        for n in range(51)
    )
    first = client.get(reverse("conditions:index"), {"letter": "G"}).content.decode()
    assert first.count('<li>\n      <a href="/conditions/') == 50
    assert "Page 1 of 2" in first
    last = client.get(reverse("conditions:index"), {"letter": "G", "page": "2"}).content.decode()
    assert last.count('<li>\n      <a href="/conditions/') == 1


def test_renaming_a_condition_moves_it_to_its_new_letter(db):
    condition = ConditionFactory(name="Acne")
    condition.name = "Rosacea"
    condition.save(update_fields=["name"])
    assert Condition.objects.under_letter("R").get() == condition
    assert Condition.objects.index_letters() == ["R"]


def test_the_condition_page_lists_only_published_questions(client):
    question = published_question(title="Is it hereditary?")
    RevisionFactory(question=QuestionFactory(condition=question.condition, title="Draft only?"))
    html = client.get(question.condition.get_absolute_url()).content.decode()
    assert "Is it hereditary?" in html
    assert "Draft only?" not in html


def test_the_condition_page_shows_recent_visible_experiences(client):
    question = published_question()
    ExperienceFactory(question=question, body="Shared and approved.")
    ExperienceFactory(question=question, body="Still waiting.", status="pending", approved_at=None)
    html = client.get(question.condition.get_absolute_url()).content.decode()
    assert "Shared and approved." in html
    assert "Still waiting." not in html


def test_an_unknown_condition_is_not_found(client):
    assert client.get("/conditions/nothing-here/").status_code == 404


def test_the_condition_page_makes_as_many_queries_for_one_post_as_for_five(
    client, settings, django_assert_num_queries
):
    settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 0
    question = published_question()
    condition = question.condition
    ExperienceFactory(question=question)
    ExperienceFactory(question=None, condition=condition)
    with CaptureQueriesContext(connection) as few:
        client.get(condition.get_absolute_url())
    for _ in range(3):  # posts on the condition in general, and on its question
        ExperienceFactory(question=None, condition=condition)
    with django_assert_num_queries(len(few)):
        html = client.get(condition.get_absolute_url()).content.decode()
    assert html.count('<li class="experience"') == 5
