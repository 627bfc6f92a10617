import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diseasemaps.experiences import services
from diseasemaps.experiences.models import Experience
from tests.factories import QuestionFactory, TreatmentFactory

pytestmark = pytest.mark.django_db


def test_a_shared_experience_waits_for_moderation(member):
    question = QuestionFactory()
    experience = services.submit_experience(
        author=member, condition=question.condition, question=question, body="It went *well*."
    )
    assert experience.status == Experience.Status.PENDING
    assert experience.body_html == "<p>It went <em>well</em>.</p>\n"
    assert not Experience.objects.visible().exists()


def test_a_question_of_another_condition_is_refused(member):
    with pytest.raises(ValidationError):
        services.submit_experience(
            author=member,
            condition=QuestionFactory().condition,
            question=QuestionFactory(),
            body="Text.",
        )
    assert not Experience.objects.exists()


def test_treatments_of_another_condition_are_refused(member):
    question = QuestionFactory()
    with pytest.raises(ValidationError):
        services.submit_experience(
            author=member,
            condition=question.condition,
            question=question,
            body="Text.",
            treatments=[TreatmentFactory()],
        )
    assert not Experience.objects.exists()


def test_a_moderator_approves_a_waiting_post(member, moderator):
    question = QuestionFactory()
    experience = services.submit_experience(
        author=member, condition=question.condition, question=question, body="Text."
    )
    services.approve_experience(experience=experience, moderator=moderator)
    assert list(Experience.objects.visible()) == [experience]


def test_only_a_moderator_can_approve(member, editor):
    question = QuestionFactory()
    experience = services.submit_experience(
        author=member, condition=question.condition, question=question, body="Text."
    )
    with pytest.raises(PermissionDenied):
        services.approve_experience(experience=experience, moderator=editor)
    assert not Experience.objects.visible().exists()
