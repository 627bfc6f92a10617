"""The community's pages: one-click follow from a condition or question page, the member's lists,
notifications and the header's count, e-mail choices."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from diseasemaps.community import services
from diseasemaps.community.models import Follow, Frequency, Kind, Notification
from diseasemaps.community.notify import Event, deliver
from tests.factories import (
    ConditionFactory,
    MemberConditionFactory,
    MemberFactory,
    published_question,
)

pytestmark = pytest.mark.django_db


def test_a_member_follows_and_unfollows_a_condition_from_its_page(member, member_client):
    condition = ConditionFactory()
    page = member_client.get(condition.get_absolute_url()).content.decode()
    follow_url = reverse("community:follow-condition", args=[condition.slug])
    assert f'action="{follow_url}"' in page
    assert "csrfmiddlewaretoken" in page
    response = member_client.post(follow_url, {"next": condition.get_absolute_url() + "#follow"})
    assert response.status_code == 302
    assert response["Location"] == condition.get_absolute_url() + "#follow"
    assert services.is_following(user=member, condition=condition)
    page = member_client.get(condition.get_absolute_url()).content.decode()
    assert "Unfollow this condition" in page
    member_client.post(reverse("community:unfollow-condition", args=[condition.slug]))
    assert not Follow.objects.exists()


def test_a_member_follows_a_question_from_its_page(member, member_client):
    question = published_question()
    url = reverse("community:follow-question", args=[question.condition.slug, question.slug])
    assert f'action="{url}"' in member_client.get(question.get_absolute_url()).content.decode()
    member_client.post(url)
    assert services.is_following(user=member, question=question)
    assert (
        "Unfollow this question" in member_client.get(question.get_absolute_url()).content.decode()
    )


def test_a_draft_question_or_a_foreign_next_cannot_be_used(member, member_client):
    question = published_question()
    draft = question.__class__.objects.create(condition=question.condition, title="D?", slug="d")
    url = reverse("community:follow-question", args=[question.condition.slug, draft.slug])
    assert member_client.post(url).status_code == 404
    condition_url = reverse("community:follow-condition", args=[question.condition.slug])
    response = member_client.post(condition_url, {"next": "https://elsewhere.example/"})
    assert response["Location"] == question.condition.get_absolute_url()


def test_a_get_on_the_follow_address_changes_nothing(member, member_client):
    condition = ConditionFactory()
    response = member_client.get(reverse("community:follow-condition", args=[condition.slug]))
    assert response.status_code == 302
    assert response["Location"] == condition.get_absolute_url()
    assert not Follow.objects.exists()


def test_a_visitor_sees_a_log_in_link_and_the_stored_page_holds_nothing_personal(member):
    condition = ConditionFactory()
    services.follow(user=member, condition=condition)
    cache.clear()
    visitor_page = Client().get(condition.get_absolute_url()).content.decode()
    assert "Log in to follow this condition" in visitor_page
    assert "Unfollow" not in visitor_page
    assert "csrfmiddlewaretoken" not in visitor_page
    # The member's page is made for them, never stored nor served from the shared cache.
    client = Client()
    client.force_login(member)
    own = client.get(condition.get_absolute_url())
    assert "Unfollow this condition" in own.content.decode()
    assert "private" in own["Cache-Control"] or "no-cache" in own["Cache-Control"]
    again = Client().get(condition.get_absolute_url())
    assert "Unfollow" not in again.content.decode()
    assert again["Cache-Control"].startswith("public")
    anonymous = Client().post(reverse("community:follow-condition", args=[condition.slug]))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]


def test_the_following_page_lists_mine_only_and_unfollows(member, member_client):
    question = published_question()
    services.follow(user=member, question=question)
    services.follow(user=MemberFactory(), condition=ConditionFactory(name="Someone else's"))
    page = member_client.get(reverse("community:following")).content.decode()
    assert question.title in page
    assert "Someone else" not in page
    assert (
        reverse("community:following")
        in member_client.get(reverse("members:account")).content.decode()
    )


def test_adding_a_condition_to_my_list_offers_to_follow_it(member, member_client):
    row = MemberConditionFactory(user=member)
    page = member_client.get(reverse("members:conditions")).content.decode()
    url = reverse("community:follow-condition", args=[row.condition.slug])
    assert f'action="{url}"' in page
    response = member_client.post(url, {"next": reverse("members:conditions")})
    assert response["Location"] == reverse("members:conditions")
    page = member_client.get(reverse("members:conditions")).content.decode()
    assert f'action="{url}"' not in page
    assert f"You follow {row.condition.display_name}" in page


def _notify(member, n=1, kind=Kind.REPLY):
    for i in range(n):
        deliver(
            event=Event(kind=kind, key=f"e:{member.pk}:{i}", text=f"Thing {i}", url="/about/"),
            user_ids=[member.pk],
        )


def test_the_header_counts_unread_notifications_for_members_only(
    member, member_client, django_assert_max_num_queries
):
    _notify(member, 3)
    _notify(MemberFactory(), 2)
    page = member_client.get(reverse("pages:about")).content.decode()
    assert '<strong>3<span class="visually-hidden"> unread</span></strong>' in page
    visitor = Client().get(reverse("pages:about")).content.decode()
    assert "unread" not in visitor
    assert reverse("community:notifications") not in visitor


def test_the_count_is_one_query(member, rf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from diseasemaps.community.context_processors import notifications

    request = rf.get("/")
    request.user = member
    with CaptureQueriesContext(connection) as queries:
        count = notifications(request)["unread_notifications"]
        assert len(queries) == 0  # nothing until a template shows it
        assert count() == 0
        assert count() == 0
    assert len(queries) == 1
    assert "COUNT" in queries[0]["sql"].upper()
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    with CaptureQueriesContext(connection) as queries:
        assert notifications(request) == {}
    assert len(queries) == 0


def test_notifications_newest_first_paginated_opened_and_marked_read(member, member_client):
    _notify(member, 30)
    page = member_client.get(reverse("community:notifications")).content.decode()
    assert page.index("Thing 29") < page.index("Thing 28")
    assert "Thing 3<" not in page  # on page two
    assert (
        "Thing 3<"
        in member_client.get(reverse("community:notifications") + "?page=2").content.decode()
    )
    newest = Notification.objects.filter(user=member).first()
    response = member_client.get(newest.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == "/about/"
    newest.refresh_from_db()
    assert newest.read_at is not None
    assert services.unread_count(member) == 29
    member_client.post(reverse("community:mark-all-read"))
    assert services.unread_count(member) == 0


def test_someone_elses_notification_is_not_found(member_client):
    other = MemberFactory()
    _notify(other)
    row = Notification.objects.get()
    assert member_client.get(row.get_absolute_url()).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_choosing_e_mails(member, member_client):
    url = reverse("community:preferences")
    page = member_client.get(url).content.decode()
    assert 'value="daily"' in page
    data = {kind.value: Frequency.NEVER for kind in Kind}
    data[Kind.REPLY] = Frequency.WEEKLY
    assert member_client.post(url, data).status_code == 302
    assert services.frequencies_of(member)[Kind.REPLY] == Frequency.WEEKLY
    assert services.frequencies_of(member)[Kind.NEW_EXPERIENCE] == Frequency.NEVER
    bad = member_client.post(url, {**data, Kind.REPLY: "hourly"})
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()
    assert services.frequencies_of(member)[Kind.REPLY] == Frequency.WEEKLY


def test_the_community_pages_need_a_log_in():
    for name in ("community:following", "community:notifications", "community:preferences"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
