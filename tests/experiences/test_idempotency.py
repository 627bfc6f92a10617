"""
A post sent twice is stored once: the share form carries a random key, and the same key from
the same author saves one post (a retry after an error page, a double click, two requests at
the same moment).
"""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from diseasemaps.experiences import services
from diseasemaps.experiences.models import Experience
from tests.factories import MemberConditionFactory, published_question

BODY = "I had Mohs surgery over two days and the scar healed well."


@pytest.fixture
def question(db):
    return published_question()


@pytest.fixture
def author(question):
    return MemberConditionFactory(condition=question.condition).user


def share_url(question):
    return reverse("experiences:share", args=[question.condition.slug, question.slug])


def key_on(page: str) -> str:
    return re.search(r'name="submission_key" value="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_the_same_form_sent_twice_saves_one_post(author, question):
    client = Client()
    client.force_login(author)
    key = key_on(client.get(share_url(question)).content.decode())
    form = {"body": BODY, "audience": "everyone", "submission_key": key}
    preview = client.post(share_url(question), {**form, "action": "preview"}).content.decode()
    assert key_on(preview) == key  # kept from one step to the next

    first = client.post(share_url(question), {**form, "action": "submit"})
    again = client.post(share_url(question), {**form, "action": "submit"})
    (post,) = Experience.objects.filter(author=author)
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == post.get_absolute_url()


@pytest.mark.django_db
def test_each_new_form_gets_its_own_key_and_saves_its_own_post(author, question):
    client = Client()
    client.force_login(author)
    for _ in range(2):
        key = key_on(client.get(share_url(question)).content.decode())
        form = {"body": BODY, "audience": "everyone", "submission_key": key, "action": "submit"}
        assert client.post(share_url(question), form).status_code == 302
    assert Experience.objects.filter(author=author).count() == 2


@pytest.mark.django_db
def test_another_members_key_is_not_theirs_to_reuse(author, question):
    post = services.submit_experience(
        author=author, condition=question.condition, body=BODY, submission_key="k" * 32
    )
    other = MemberConditionFactory(condition=question.condition).user
    theirs = services.submit_experience(
        author=other, condition=question.condition, body=BODY, submission_key="k" * 32
    )
    assert theirs.pk != post.pk
    assert theirs.author == other


@pytest.mark.postgres_only  # SQLite lets one writer in at a time: there is no race to lose
@pytest.mark.django_db(transaction=True)
def test_two_requests_with_the_same_key_at_the_same_moment_save_one_post(author, question):
    barrier = threading.Barrier(2)
    saved, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=30)
            saved.append(
                services.submit_experience(
                    author=author, condition=question.condition, body=BODY, submission_key="r" * 32
                ).pk
            )
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Experience.objects.filter(author=author).count() == 1
    assert len(set(saved)) == 1
