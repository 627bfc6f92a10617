"""The experiences app tells the apps above it when a post first becomes visible, and only then."""

import pytest

from diseasemaps.experiences import services
from diseasemaps.experiences.signals import experience_published
from tests.experiences.test_services import approved_posts, share, sharer
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    sent = []

    def receiver(sender, experience, **kwargs):
        sent.append(experience.pk)

    experience_published.connect(receiver)
    yield sent
    experience_published.disconnect(receiver)


def test_approving_a_new_post_announces_it_once(moderator, published):
    question = QuestionFactory()
    post = share(sharer(question.condition), question)
    assert published == []
    services.approve_experience(experience=post, moderator=moderator)
    assert published == [post.pk]


def test_an_approved_edit_or_a_post_kept_after_reports_is_not_announced_again(moderator, published):
    question = QuestionFactory()
    author = sharer(question.condition)
    post = share(author, question)
    services.approve_experience(experience=post, moderator=moderator)
    services.edit_experience(
        experience=post, editor=author, body="A longer account, edited later.", audience="everyone"
    )
    services.approve_experience(experience=post, moderator=moderator)
    assert published == [post.pk]


def test_a_trusted_members_post_is_announced_when_it_is_saved(moderator, published, settings):
    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 1
    question = QuestionFactory()
    author = sharer(question.condition)
    approved_posts(author, question, 1, moderator)
    fourth = share(author, question)
    assert published[-1] == fourth.pk
    assert len(published) == 2
