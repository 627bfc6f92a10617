import datetime

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from diseasemaps.answers.models import AnswerRevision, Question, Source
from diseasemaps.conditions.models import Condition, ConditionAlias
from diseasemaps.core.markdown import render_markdown
from diseasemaps.core.services import Role
from diseasemaps.experiences.figures import refresh_question_figures
from diseasemaps.experiences.models import Experience, Treatment, render_experience_markdown
from diseasemaps.members import pseudonyms
from diseasemaps.members.figures import refresh_community_figures
from diseasemaps.members.models import (
    HealthDataConsent,
    MemberCondition,
    MemberProfile,
    ReviewerProfile,
    User,
)

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class MemberFactory(UserFactory):
    profile = factory.RelatedFactory(
        "tests.factories.MemberProfileFactory", factory_related_name="user"
    )


class MemberProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberProfile

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Member{n}")
    name_skeleton = factory.LazyAttribute(lambda o: pseudonyms.skeletons(o.display_name).as_written)
    name_skeleton_folded = factory.LazyAttribute(
        lambda o: pseudonyms.skeletons(o.display_name).folded
    )


class StaffFactory(UserFactory):
    is_staff = True


class ReviewerFactory(StaffFactory):
    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            names = extracted or [Role.MEDICAL_REVIEWER]
            self.groups.add(*Group.objects.filter(name__in=names))

    reviewer_profile = factory.RelatedFactory(
        "tests.factories.ReviewerProfileFactory", factory_related_name="user"
    )


class ReviewerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerProfile

    user = factory.SubFactory(UserFactory)
    slug = factory.Sequence(lambda n: f"reviewer-{n}")
    display_name = factory.Sequence(lambda n: f"Dr Reviewer {n}")
    credentials = "MD"
    specialty = "Dermatology"


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    name = factory.Sequence(lambda n: f"Condition {n}")
    slug = factory.Sequence(lambda n: f"condition-{n}")
    abbreviation = ""
    summary = "A condition used in tests."


class ConditionAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConditionAlias

    condition = factory.SubFactory(ConditionFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    condition = factory.SubFactory(ConditionFactory)
    title = factory.Sequence(lambda n: f"What is question {n} about?")
    slug = factory.Sequence(lambda n: f"question-{n}")


class RevisionFactory(factory.django.DjangoModelFactory):
    """A draft revision. Use `published_question()` for a question with a live answer."""

    class Meta:
        model = AnswerRevision

    question = factory.SubFactory(QuestionFactory)
    number = factory.Sequence(lambda n: n + 1)
    short_answer = "A short answer."
    body = "A paragraph.\n\n- one\n- two\n"
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body, citations=True))
    author = factory.SubFactory(StaffFactory, roles=[Role.EDITOR])


def published_question(**question_fields) -> Question:
    """A question whose answer went live through a reviewer's approval, as it would for real."""
    revision = RevisionFactory(
        question=QuestionFactory(**question_fields),
        number=1,
        state=AnswerRevision.State.APPROVED,
        reviewer=ReviewerFactory(),
        review_kind=AnswerRevision.ReviewKind.FULL,
        approved_at=timezone.now(),
        reviewed_on=datetime.date(2026, 5, 8),
        updated_on=datetime.date(2026, 5, 8),
        next_review_on=datetime.date(2027, 5, 8),
    )
    question = revision.question
    question.live_revision = revision
    question.save()
    return question


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    revision = factory.SubFactory(RevisionFactory)
    title = factory.Sequence(lambda n: f"Source {n}")
    url = "https://example.org/paper"


class HealthDataConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthDataConsent

    user = factory.SubFactory(MemberFactory)
    condition = factory.SubFactory(ConditionFactory)
    purpose = HealthDataConsent.Purpose.MEMBER_CONDITION
    notice_version = factory.LazyFunction(lambda: settings.DISEASEMAPS_PRIVACY_NOTICE_VERSION)


class MemberConditionFactory(factory.django.DjangoModelFactory):
    """A member's condition, with the condition's stored community figure counted again."""

    class Meta:
        model = MemberCondition
        skip_postgeneration_save = True

    user = factory.SubFactory(MemberFactory)
    condition = factory.SubFactory(ConditionFactory)
    consent = factory.SubFactory(
        HealthDataConsentFactory,
        user=factory.SelfAttribute("..user"),
        condition=factory.SelfAttribute("..condition"),
    )
    relationship = MemberCondition.Relationship.LIVING_WITH
    is_counted = True

    @factory.post_generation
    def figures(self, create, extracted, **kwargs):
        if create:
            refresh_community_figures([self.condition_id])


class TreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Treatment

    condition = factory.SubFactory(ConditionFactory)
    name = factory.Sequence(lambda n: f"Treatment {n}")


class ExperienceFactory(factory.django.DjangoModelFactory):
    """
    An approved, public experience on a question, with the question's stored figures counted
    again (as the services do). A test that changes the post afterwards without a service calls
    `refresh_question_figures` itself.
    """

    class Meta:
        model = Experience
        skip_postgeneration_save = True

    question = factory.SubFactory(QuestionFactory)
    condition = factory.SelfAttribute("question.condition")
    author = factory.SubFactory(MemberFactory)
    written_as = factory.LazyAttribute(
        lambda o: MemberCondition.Relationship.LIVING_WITH if o.author else ""
    )
    status = Experience.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)
    body = factory.Sequence(lambda n: f"My experience number {n}.")
    body_html = factory.LazyAttribute(lambda o: render_experience_markdown(o.body))

    @factory.post_generation
    def figures(self, create, extracted, **kwargs):
        if create:
            refresh_question_figures([self.question_id])
