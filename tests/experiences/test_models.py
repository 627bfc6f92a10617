import pytest
from django.core.exceptions import ValidationError

from diseasemaps.experiences.models import Experience
from tests.factories import ExperienceFactory, MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def test_only_approved_posts_that_are_not_hidden_are_visible():
    shown = ExperienceFactory()
    ExperienceFactory(status=Experience.Status.PENDING, approved_at=None)
    ExperienceFactory(status=Experience.Status.REJECTED, approved_at=None)
    ExperienceFactory(is_hidden=True)
    assert list(Experience.objects.visible()) == [shown]


def test_people_count_counts_authors_once_and_each_anonymised_post_as_one():
    author = MemberFactory()
    ExperienceFactory.create_batch(3, author=author)
    ExperienceFactory()
    ExperienceFactory.create_batch(2, author=None)
    assert Experience.objects.people_count() == 4


def test_people_count_of_nothing_is_zero():
    assert Experience.objects.none().people_count() == 0
    assert Experience.objects.people_count() == 0


def test_a_question_of_another_condition_is_refused():
    experience = ExperienceFactory.build(
        question=QuestionFactory(), condition=QuestionFactory().condition
    )
    with pytest.raises(ValidationError, match="another condition"):
        experience.clean()


def test_set_body_drops_headings_and_marks_links_as_user_content():
    experience = Experience()
    experience.set_body("## Not a heading\n\n[link](https://example.org)")
    assert "<h2" not in experience.body_html
    assert 'rel="nofollow ugc noopener noreferrer"' in experience.body_html
