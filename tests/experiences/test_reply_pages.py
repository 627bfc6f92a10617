"""
Replies on the pages: the form on the post's permalink (without JavaScript, keeping what was
typed), the replies under each post on the question, condition and permalink pages, the
audience they inherit, the page cache, the admin queue, export and erasure, and query counts.
"""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diseasemaps.experiences import services
from diseasemaps.experiences.models import Experience, ModerationDecision, Reply, ReplyReport
from diseasemaps.members.services import erase_account, export_data
from tests.experiences.test_admin import hidden_inputs
from tests.factories import (
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    published_question,
)
from tests.pagecache.test_page_cache import stored_bodies

pytestmark = pytest.mark.django_db

TEXT = "Which centre did your Mohs surgery, if you do not mind saying?"


@pytest.fixture
def question():
    return published_question(
        condition__name="Dermatofibrosarcoma Protuberans", condition__abbreviation="DFSP"
    )


@pytest.fixture
def post(question):
    return ExperienceFactory(question=question, body="Mohs over two days, four years ago.")


def member_with_condition(post, **kwargs):
    return MemberConditionFactory(condition=post.condition, **kwargs).user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reply(post, moderator=None, body=TEXT, author=None, **kwargs) -> Reply:
    row = services.submit_reply(
        author=author or member_with_condition(post), experience=post, body=body, **kwargs
    )
    if moderator is not None:
        row = services.approve_reply(reply=row, moderator=moderator)
    return row


def send(client, post, body=TEXT, **data):
    return client.post(
        reverse("experiences:reply", args=[post.pk]),
        {"body": body, "action": "submit", "submission_key": "k" * 24, **data},
    )


# --- The form -----------------------------------------------------------------------------------


def test_the_permalink_has_a_reply_form_that_works_without_javascript(post):
    author = member_with_condition(post)
    client = logged_in(author)
    html = client.get(post.get_absolute_url()).content.decode()
    form = html[html.index('id="reply-form"') :]
    form = form[: form.index("</form>")]
    assert f'action="{reverse("experiences:reply", args=[post.pk])}"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="submission_key"' in form
    response = send(client, post)
    saved = Reply.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/experiences/{post.pk}/#reply-{saved.pk}"
    html = client.get(post.get_absolute_url()).content.decode()
    assert TEXT in html
    assert "waiting for a moderator" in html


def test_a_reply_with_an_error_comes_back_with_what_was_typed(post):
    client = logged_in(member_with_condition(post))
    response = send(client, post, body="x" * 2001)
    assert response.status_code == 400
    html = response.content.decode()
    assert "x" * 2001 in html
    assert "Everything you wrote is still here" in html
    assert 'aria-describedby="id_reply' in html or "aria-invalid" in html
    assert not Reply.objects.exists()


def test_personal_details_are_confirmed_before_the_reply_is_saved(post):
    client = logged_in(member_with_condition(post))
    body = "Write to me at someone@example.org and I will tell you more."
    response = send(client, post, body=body)
    html = response.content.decode()
    assert response.status_code == 200
    assert "an e-mail address" in html
    assert "someone@example.org and I will tell you more" in html
    assert not Reply.objects.exists()
    response = send(client, post, body=body, confirm_personal_data="on")
    assert response.status_code == 302
    assert Reply.objects.count() == 1


def test_the_same_form_sent_twice_saves_one_reply(post):
    client = logged_in(member_with_condition(post))
    send(client, post)
    send(client, post)
    assert Reply.objects.count() == 1


def test_replies_are_rate_limited_and_the_text_is_kept(post, settings):
    client = logged_in(member_with_condition(post))
    for n in range(10):
        send(client, post, body=f"{TEXT} ({n})", submission_key=f"key-{n:020d}")
    response = send(client, post, body="The eleventh reply in an hour.", submission_key="z" * 24)
    assert "the most we allow" in response.content.decode()
    assert "The eleventh reply in an hour." in response.content.decode()
    assert Reply.objects.count() == 10


def test_a_member_without_the_condition_is_asked_to_add_it(post, member):
    client = logged_in(member)
    assert 'id="id_reply' not in client.get(post.get_absolute_url()).content.decode()
    response = send(client, post)
    assert "to your profile first" in response.content.decode()
    assert not Reply.objects.exists()


def test_a_suspended_member_gets_no_reply_form(post, moderator):
    author = member_with_condition(post)
    services.suspend_member(member=author, moderator=moderator, reason="Spam.")
    client = logged_in(author)
    assert "suspended from posting" in client.get(post.get_absolute_url()).content.decode()
    assert send(client, post).status_code == 403
    assert not Reply.objects.exists()


def test_a_visitor_is_asked_to_log_in_to_reply(post):
    client = Client()
    assert client.get(reverse("experiences:reply", args=[post.pk])).status_code == 302
    assert send(client, post)["Location"].startswith(reverse("account_login"))
    assert not Reply.objects.exists()


def test_an_author_deletes_their_reply(post, moderator):
    row = reply(post, moderator)
    client = logged_in(row.author)
    url = reverse("experiences:reply-delete", args=[row.pk])
    assert "Delete your reply?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Reply.objects.exists()
    assert logged_in(MemberFactory()).post(url).status_code == 404


def test_a_member_reports_a_reply(post, moderator):
    row = reply(post, moderator)
    client = logged_in(MemberFactory())
    url = reverse("experiences:reply-report", args=[row.pk])
    assert "Report a reply" in client.get(url).content.decode()
    response = client.post(url, {"reason": "promotion", "details": "An advert."})
    assert response.status_code == 302
    assert ReplyReport.objects.get().reason == "promotion"


# --- Where replies show -------------------------------------------------------------------------


def test_replies_show_under_the_post_in_order_on_every_page_that_shows_it(
    question, post, moderator
):
    first = reply(post, moderator, body="The first reply, approved first.")
    second = reply(post, moderator, body="A second reply, answering the first.", in_reply_to=first)
    reply(post, body="A pending reply nobody else sees.")
    for url in (
        question.get_absolute_url(),
        question.condition.get_absolute_url(),
        post.get_absolute_url(),
    ):
        html = Client().get(url).content.decode()
        assert html.index("The first reply") < html.index("A second reply"), url
        assert f'id="reply-{second.pk}"' in html
        assert "in answer to" in html
        assert "A pending reply" not in html, url


def test_a_visitor_never_reads_a_reply_under_a_members_only_post(question, moderator):
    post = ExperienceFactory(question=question, audience=Experience.Audience.MEMBERS)
    reply(post, moderator, body="Members only, and so is this reply.")
    for url in (question.get_absolute_url(), post.get_absolute_url()):
        assert "so is this reply" not in Client().get(url).content.decode()
        assert "so is this reply" in logged_in(MemberFactory()).get(url).content.decode()


def test_a_members_waiting_reply_is_never_in_a_visitors_stored_page(question, post):
    author = member_with_condition(post)
    reply(post, author=author, body="Waiting, and private to me.")
    url = question.get_absolute_url()
    assert "Waiting, and private to me." in logged_in(author).get(url).content.decode()
    Client().get(url)
    for body in stored_bodies(url):
        assert b"Waiting, and private to me." not in body


def test_a_reply_approved_hidden_or_deleted_refreshes_the_stored_pages(question, post, moderator):
    row = reply(post, body="Shown once a moderator approves it.")
    for url in (question.get_absolute_url(), question.condition.get_absolute_url()):
        assert "Shown once" not in Client().get(url).content.decode()
    services.approve_reply(reply=row, moderator=moderator)
    for url in (question.get_absolute_url(), question.condition.get_absolute_url()):
        assert "Shown once" in Client().get(url).content.decode(), url
    row.refresh_from_db()
    row.is_hidden = True
    row.save()
    assert "Shown once" not in Client().get(question.get_absolute_url()).content.decode()
    row.is_hidden = False
    row.save()
    assert "Shown once" in Client().get(question.get_absolute_url()).content.decode()
    services.delete_reply(reply=row, actor=row.author)
    assert "Shown once" not in Client().get(question.get_absolute_url()).content.decode()


def test_a_new_pseudonym_refreshes_the_pages_with_the_members_replies(question, post, moderator):
    row = reply(post, moderator)
    profile = row.author.member_profile
    assert profile.display_name in Client().get(question.get_absolute_url()).content.decode()
    profile.display_name = "ARenamedReplier"
    profile.save()
    assert "ARenamedReplier" in Client().get(question.get_absolute_url()).content.decode()


def test_replies_are_not_in_the_structured_data_nor_counted_as_people(question, post, moderator):
    for n in range(3):
        reply(post, moderator, body=f"A reply that is conversation ({n}).")
    html = Client().get(question.get_absolute_url()).content.decode()
    assert "A reply that is conversation" in html
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert blocks
    for block in blocks:
        assert "A reply that is conversation" not in block
        json.loads(block)
    assert "1 person with Dermatofibrosarcoma Protuberans (DFSP) has shared" in html


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("as_member", [False, True])
def test_query_counts_stay_flat_with_many_replies(question, moderator, settings, as_member):
    settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 0
    posts = ExperienceFactory.create_batch(3, question=question)
    viewer = member_with_condition(posts[0])
    client = logged_in(viewer) if as_member else Client()
    reply(posts[0], moderator)
    urls = [question.get_absolute_url(), question.condition.get_absolute_url()]
    client.get(reverse("pages:home"))  # a session's first request records it
    before = {url: _count_queries(client, url) for url in urls}
    before["post"] = _count_queries(client, posts[0].get_absolute_url())
    repliers = [member_with_condition(posts[0]) for _ in range(5)]
    for target in posts:
        for author in repliers:
            reply(target, moderator, author=author)
    reply(posts[1], author=viewer)  # the viewer's own, waiting
    after = {url: _count_queries(client, url) for url in urls}
    after["post"] = _count_queries(client, posts[0].get_absolute_url())
    assert after == before


# --- The admin ----------------------------------------------------------------------------------


def decide(client, row, **data):
    """Send the reply's admin page as it stands (its hidden fields), with a decision."""
    url = reverse("admin:experiences_reply_change", args=[row.pk])
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {**hidden_inputs(page.content.decode()), **data})


def test_a_moderator_approves_a_reply_in_the_admin_queue(post, moderator, staff_client_for):
    row = reply(post, body="Waiting in the moderation queue.")
    client = staff_client_for(moderator)
    listing = client.get(reverse("admin:experiences_reply_changelist") + "?queue=waiting")
    assert "Waiting in the moderation queue." in listing.content.decode()
    page = client.get(reverse("admin:experiences_reply_change", args=[row.pk]))
    html = page.content.decode()
    assert post.body_html.strip()[:20] in html  # the post it answers, for context
    response = decide(client, row, decision="approve", text_fingerprint="0" * 64)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Reply.Status.PENDING  # the text read was not this one: refused
    decide(client, row, decision="approve")
    row.refresh_from_db()
    assert row.is_visible
    assert ModerationDecision.objects.filter(reply=row, moderator=moderator).exists()


def test_the_bulk_approval_shows_each_reply_before_approving(post, moderator, staff_client_for):
    rows = [reply(post, body=f"Reply number {n} to read first.") for n in range(2)]
    client = staff_client_for(moderator)
    url = reverse("admin:experiences_reply_changelist")
    data = {"action": "approve", "_selected_action": [r.pk for r in rows]}
    html = client.post(url, data).content.decode()
    assert "Read the replies before approving them" in html
    assert "Reply number 0 to read first." in html
    assert 'value="Yes, approve these 2 replies"' in html
    assert not Reply.objects.visible().exists()
    confirm = {**data, "confirm": "yes"}
    for r in rows:
        confirm[f"fingerprint_{r.pk}"] = r.text_fingerprint
    client.post(url, confirm)
    assert Reply.objects.visible().count() == 2


def test_rejecting_a_reply_in_the_admin_needs_a_guideline(post, moderator, staff_client_for):
    row = reply(post)
    client = staff_client_for(moderator)
    response = decide(client, row, decision="reject", guideline="")
    assert response.status_code == 200
    assert "Choose the guideline it breaks." in response.content.decode()
    decide(client, row, decision="reject", guideline="respect", reason="Unkind.")
    row.refresh_from_db()
    assert row.status == Reply.Status.REJECTED


# --- Export and erasure -------------------------------------------------------------------------


def test_a_members_replies_and_reports_are_in_their_export(post, moderator):
    row = reply(post, moderator)
    reporter = MemberFactory()
    services.report_reply(reply=row, reporter=reporter, reason="other", details="Look.")
    assert export_data(user=row.author)["experiences.Reply"][0]["body"] == TEXT
    reports = export_data(user=reporter)["experiences.ReplyReport.reporter"]
    assert reports[0]["details"] == "Look."


def test_erasure_keeps_replies_as_a_former_member_when_asked(question, post, moderator):
    row = reply(post, moderator)
    erase_account(user=row.author, keep_posts=True)
    row.refresh_from_db()
    assert row.author is None
    assert "A former member" in Client().get(question.get_absolute_url()).content.decode()


def test_erasure_deletes_replies_when_asked(post, moderator):
    row = reply(post, moderator)
    erase_account(user=row.author, keep_posts=False)
    assert not Reply.objects.exists()


def test_erasure_of_a_reporter_keeps_the_report_without_their_words(post, moderator):
    row = reply(post, moderator)
    reporter = MemberFactory()
    services.report_reply(reply=row, reporter=reporter, reason="other", details="My words.")
    erase_account(user=reporter, keep_posts=False)
    report = ReplyReport.objects.get()
    assert report.reporter is None
    assert report.details == ""
