import pytest
from django.urls import reverse

from tests.factories import (
    ConditionAliasFactory,
    ConditionFactory,
    ExperienceFactory,
    QuestionFactory,
    RevisionFactory,
    published_question,
)

pytestmark = pytest.mark.django_db


def test_the_index_groups_conditions_by_letter_with_their_aliases(client):
    dfsp = ConditionFactory(name="Dermatofibrosarcoma Protuberans", abbreviation="DFSP")
    ConditionAliasFactory(condition=dfsp, name="Darier-Ferrand tumour")
    ConditionFactory(name="Acne")
    html = client.get(reverse("conditions:index")).content.decode()
    assert 'href="#letter-A"' in html
    assert 'href="#letter-D"' in html
    assert html.index("Acne") < html.index("Dermatofibrosarcoma")
    assert "Also known as Darier-Ferrand tumour" in html


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
