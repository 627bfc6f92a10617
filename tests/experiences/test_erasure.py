"""
What a member's erasure (members.services.erase_account) changes in the experiences: the posts
they keep still count as one person, in their own relationship to the condition; the posts they
found helpful count their reactions again; their reports keep no word of theirs.
"""

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from diseasemaps.experiences import services
from diseasemaps.experiences.figures import refresh_question_figures
from diseasemaps.experiences.models import Experience, PeopleCount, Reaction, Report
from diseasemaps.members.models import MemberCondition, User
from diseasemaps.members.services import ERASED_IN_ADMIN_LOG, erase_account
from tests.factories import (
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    published_question,
)

pytestmark = pytest.mark.django_db

BODY = "Mohs surgery took a whole day, and the wait between layers was the hardest part."
CARING_FOR = MemberCondition.Relationship.CARING_FOR


@pytest.fixture
def question():
    return published_question(
        condition__name="Dermatofibrosarcoma Protuberans", condition__abbreviation="DFSP"
    )


def sharer(question, **kwargs):
    return MemberConditionFactory(condition=question.condition, **kwargs).user


def share(author, question, times=1):
    for n in range(times):
        post = services.submit_experience(
            author=author,
            condition=question.condition,
            question=question,
            body=f"{BODY} ({n})",
        )
        post.status = Experience.Status.APPROVED
        post.approved_at = post.created_at
        post.save()
    refresh_question_figures([question.pk])  # approved past the moderators' service


def figure(question) -> str:
    html = Client().get(question.get_absolute_url()).content.decode()
    start = html.index('<a href="#experiences">') + len('<a href="#experiences">')
    return html[start : html.index("</a>", start)]


def test_sharing_records_the_relationship_the_post_is_written_from(question):
    share(sharer(question, relationship=CARING_FOR), question)
    share(sharer(question), question)
    assert sorted(Experience.objects.values_list("written_as", flat=True)) == [
        "caring_for",
        "living_with",
    ]


def test_a_member_who_keeps_five_posts_still_counts_as_one_person(question):
    leaving = sharer(question)
    share(leaving, question, times=5)
    for _ in range(3):
        share(sharer(question), question)
    assert figure(question).startswith("4 people with Dermatofibrosarcoma")

    erase_account(user=leaving, keep_posts=True)

    assert Experience.objects.filter(author=None).count() == 5
    assert figure(question).startswith("4 people with Dermatofibrosarcoma")
    assert Experience.objects.visible().people_count() == PeopleCount(living_with=4)


def test_two_former_members_who_keep_their_posts_count_as_two(question):
    first, second = sharer(question), sharer(question)
    share(first, question, times=2)
    share(second, question, times=3)
    erase_account(user=first, keep_posts=True)
    erase_account(user=second, keep_posts=True)
    assert Experience.objects.people_count() == PeopleCount(living_with=2)
    assert Experience.objects.values("former_author_key").distinct().count() == 2


def test_a_caregiver_who_keeps_their_posts_still_counts_as_a_caregiver(question):
    caregiver = sharer(question, relationship=CARING_FOR)
    share(caregiver, question, times=2)
    share(sharer(question), question)
    erase_account(user=caregiver, keep_posts=True)
    assert Experience.objects.people_count() == PeopleCount(living_with=1, caring_for=1)
    assert figure(question).startswith(
        "1 person with Dermatofibrosarcoma Protuberans (DFSP), and 1 person caring for someone "
        "with it, have shared"
    )


def test_kept_posts_get_one_new_key_per_condition_linked_to_nothing_else(question):
    other_question = published_question()
    leaving = sharer(question)
    MemberConditionFactory(user=leaving, condition=other_question.condition)
    share(leaving, question, times=2)
    share(leaving, other_question, times=2)
    someone_else = ExperienceFactory(question=question)

    erase_account(user=leaving, keep_posts=True)

    keys = {
        condition: set(
            Experience.objects.filter(condition=condition).values_list(
                "former_author_key", flat=True
            )
        )
        for condition in (question.condition, other_question.condition)
    }
    assert len(keys[question.condition] - {None}) == 1
    assert len(keys[other_question.condition]) == 1
    assert keys[question.condition].isdisjoint(keys[other_question.condition])
    someone_else.refresh_from_db()
    assert someone_else.former_author_key is None
    assert str(leaving.pk) not in {str(key) for key in keys[question.condition]}


def test_posts_deleted_with_the_account_are_no_longer_counted(question):
    leaving = sharer(question)
    share(leaving, question, times=2)
    share(sharer(question), question)
    erase_account(user=leaving, keep_posts=False)
    assert Experience.objects.count() == 1
    assert figure(question).startswith("1 person with")


def test_the_posts_a_member_found_helpful_count_their_reactions_again_after_erasure(question):
    leaving = MemberFactory()
    helped, also_helped, untouched = ExperienceFactory.create_batch(3, question=question)
    for post in (helped, also_helped):
        services.toggle_helpful(experience=post, user=leaving)
    staying = MemberFactory()
    for post in (helped, untouched):
        services.toggle_helpful(experience=post, user=staying)

    erase_account(user=leaving, keep_posts=False)

    for post, count in ((helped, 1), (also_helped, 0), (untouched, 1)):
        post.refresh_from_db()
        assert post.helpful_count == count == Reaction.objects.filter(experience=post).count()


def test_a_members_reports_stay_for_the_record_without_their_words(question):
    leaving, staying = MemberFactory(), MemberFactory()
    post = ExperienceFactory(question=question)
    services.report_experience(
        experience=post, reporter=leaving, reason="personal_data", details="My neighbour's name."
    )
    services.report_experience(
        experience=post, reporter=staying, reason="other", details="Looks like an advert."
    )

    erase_account(user=leaving, keep_posts=False)

    theirs = Report.objects.get(reason="personal_data")
    assert theirs.reporter is None
    assert theirs.details == ""
    assert theirs.status == Report.Status.OPEN  # still for a moderator to decide
    assert not Report.objects.filter(details__contains="neighbour").exists()
    assert Report.objects.get(reporter=staying).details == "Looks like an advert."


def test_the_admin_log_stops_naming_an_erased_account(question, moderator):
    leaving = sharer(question)
    staying = MemberFactory(email="a" + leaving.email)  # contains the address, is not it
    user_type = ContentType.objects.get_for_model(User)
    condition_type = ContentType.objects.get_for_model(MemberCondition)
    for user, object_type, object_id, text in (
        (leaving, user_type, leaving.pk, leaving.email),
        (leaving, condition_type, 999, f"{leaving.email} · {question.condition}"),
        (staying, user_type, staying.pk, staying.email),
    ):
        LogEntry.objects.create(
            user=moderator,
            content_type=object_type,
            object_id=str(object_id),
            object_repr=text,
            action_flag=CHANGE if user is staying else DELETION,
        )

    erase_account(user=leaving, keep_posts=False)

    reprs = set(LogEntry.objects.values_list("object_repr", flat=True))
    assert reprs == {ERASED_IN_ADMIN_LOG, staying.email}
    assert LogEntry.objects.filter(user=moderator).count() == 3
