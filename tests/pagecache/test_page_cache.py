"""Visitors' pages from the shared cache: what is stored, what is never stored, what refreshes."""

import datetime
import gzip
import types

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone

from diseasemaps.answers import services as answer_services
from diseasemaps.answers.models import AnswerRevision
from diseasemaps.core import pagecache
from diseasemaps.experiences.models import Experience
from tests.factories import (
    ConditionFactory,
    ExperienceFactory,
    MemberFactory,
    published_question,
)

pytestmark = pytest.mark.django_db


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries.captured_queries)


def _html(url, client=None) -> str:
    return (client or Client()).get(url).content.decode()


def test_a_visitors_second_request_is_served_from_the_cache_without_a_query():
    question = published_question(title="How is it treated?")
    first, first_queries = _get(Client(), question.get_absolute_url())
    second, second_queries = _get(Client(), question.get_absolute_url())
    assert first_queries > 0
    assert second_queries == 0
    assert second.content == first.content
    assert "How is it treated?" in second.content.decode()
    assert second["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert second["ETag"].startswith('"')
    assert "Cookie" in second["Vary"]
    assert second["Cache-Tag"] == (f"all,question:{question.condition.slug}/{question.slug}")
    assert "default-src 'self'" in second["Content-Security-Policy"]


def test_a_visitors_page_is_compressed_and_a_conditional_request_gets_304():
    question = published_question()
    plain = Client().get(question.get_absolute_url())
    compressed = Client().get(question.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert "Accept-Encoding" in compressed["Vary"]
    again = Client().get(question.get_absolute_url(), headers={"if-none-match": plain["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_a_stored_page_is_sent_with_its_length_in_either_encoding():
    question = published_question()
    Client().get(question.get_absolute_url())
    for headers in ({}, {"accept-encoding": "gzip"}):
        response, queries = _get(Client(), question.get_absolute_url(), **headers)
        assert queries == 0
        assert response["Content-Length"] == str(len(response.content))


def test_a_request_reads_only_the_copy_it_is_sent(monkeypatch):
    question = published_question()
    url = question.get_absolute_url()
    plain = Client().get(url).content
    compressed = Client().get(url, headers={"accept-encoding": "gzip"}).content
    bodies_read = []
    page_cache = pagecache._cache()
    get_many = page_cache.get_many

    def reading(keys, *args, **kwargs):
        found = get_many(keys, *args, **kwargs)
        for value in found.values():
            if isinstance(value, dict):  # a stored page, not a tag's version
                bodies_read.extend(v for v in value.values() if isinstance(v, bytes))
        return found

    monkeypatch.setattr(page_cache, "get_many", reading)
    response, queries = _get(Client(), url)
    assert (queries, response.content, bodies_read) == (0, plain, [plain])
    bodies_read.clear()
    response, queries = _get(Client(), url, **{"accept-encoding": "gzip, deflate"})
    assert (queries, response.content, bodies_read) == (0, compressed, [compressed])
    # Either copy gone (evicted, say) leaves the other served from the cache.
    cache.delete(pagecache._page_key(RequestFactory().get(url), pagecache.GZIP))
    assert _get(Client(), url)[1] == 0


# A view of this module's own, under its own URLs, to count how often its tags are asked for.
tags_asked = []
made = []


@pagecache.public_page(tags=lambda slug: tags_asked.append(slug) or [pagecache.tag("thing", slug)])
def thing(request, slug):
    made.append(slug)
    return HttpResponse(f"<p>{slug}, made {len(made)} times</p>" * 20)


urlpatterns = [path("things/<slug:slug>/", thing)]


def test_a_paths_tags_are_asked_for_once_and_its_versions_at_every_request(settings):
    settings.ROOT_URLCONF = __name__
    tags_asked.clear()
    made.clear()
    for url in ("/things/a/", "/things/a/", "/things/b/", "/things/a/"):
        Client().get(url)
    assert (tags_asked, made) == (["a", "b"], ["a", "b"])
    pagecache.invalidate(pagecache.tag("thing", "a"))
    assert "made 3 times" in Client().get("/things/a/").content.decode()
    compressed = Client().get("/things/a/", headers={"accept-encoding": "gzip"})
    assert "made 3 times" in gzip.decompress(compressed.content).decode()
    assert (tags_asked, made) == (["a", "b"], ["a", "b", "a"])


def test_each_address_with_its_query_is_a_page_of_its_own():
    ConditionFactory(name="Acne")
    ConditionFactory(name="Gout")
    assert "Acne" in _html(reverse("conditions:index"))
    letter_g = _html(reverse("conditions:index") + "?letter=G")
    assert "Gout" in letter_g
    assert "Acne</a>" not in letter_g


def test_a_members_page_is_never_stored_nor_a_visitors_page_shown_to_a_member(member_client):
    question = published_question()
    member_html = _html(question.get_absolute_url(), member_client)
    assert "Log out" in member_html
    response, queries = _get(Client(), question.get_absolute_url())
    assert queries > 0  # nothing the member saw was stored for visitors
    assert "Log out" not in response.content.decode()
    assert "Log out" in _html(question.get_absolute_url(), member_client)
    assert member_client.get(question.get_absolute_url())["Cache-Control"].startswith(
        "max-age=0, no-cache, no-store"
    )


def test_a_members_own_waiting_post_is_never_in_a_visitors_page(member_client, member):
    question = published_question()
    ExperienceFactory(
        question=question,
        author=member,
        status=Experience.Status.PENDING,
        approved_at=None,
        body="Waiting for a moderator, private.",
    )
    assert "waiting for a moderator" in _html(question.get_absolute_url(), member_client).lower()
    _html(question.get_absolute_url())  # a visitor's page is stored
    for body in stored_bodies(question.get_absolute_url()):
        assert b"Waiting for a moderator, private." not in body
        assert b"waiting for a moderator" not in body.lower()


def stored_bodies(url: str) -> list[bytes]:
    """The page stored for `url`, as each of its copies (plain and gzip) would show it."""
    request = RequestFactory().get(url)
    copies = [cache.get(pagecache._page_key(request, e)) for e in (pagecache.PLAIN, pagecache.GZIP)]
    assert None not in copies
    return [
        gzip.decompress(copy["body"])
        if copy["headers"].get("Content-Encoding") == "gzip"
        else copy["body"]
        for copy in copies
    ]


def test_a_visitor_with_a_message_or_a_session_is_not_served_a_stored_page(settings):
    question = published_question()
    _html(question.get_absolute_url())
    client = Client()
    client.cookies["messages"] = "something for this visitor"
    _, queries = _get(client, question.get_absolute_url())
    assert queries > 0
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "abc"
    _, queries = _get(client, question.get_absolute_url())
    assert queries > 0


def test_pages_that_set_a_cookie_or_take_input_are_not_stored():
    question = published_question()
    helpful = reverse(
        "answers:feedback-helpful",
        kwargs={"condition_slug": question.condition.slug, "slug": question.slug},
    )
    _html(helpful)
    _, queries = _get(Client(), helpful)
    assert queries > 0
    _html(reverse("search:results") + "?q=dfsp")
    _, queries = _get(Client(), reverse("search:results") + "?q=dfsp")
    assert queries > 0


def test_a_page_is_kept_no_later_than_midnight(settings, monkeypatch):
    settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 300
    tz = timezone.get_current_timezone()
    late = datetime.datetime(2026, 12, 2, 23, 58, 30, tzinfo=tz)
    monkeypatch.setattr(pagecache.timezone, "localtime", lambda: late)
    assert pagecache._timeout() == 90
    noon = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=tz)
    monkeypatch.setattr(pagecache.timezone, "localtime", lambda: noon)
    assert pagecache._timeout() == 300


def test_the_page_cache_can_be_turned_off(settings):
    settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 0
    question = published_question()
    _html(question.get_absolute_url())
    response, queries = _get(Client(), question.get_absolute_url())
    assert queries > 0
    assert "Cache-Tag" not in response


# --- what refreshes the stored pages ------------------------------------------------------


def _publish_new_text(question, editor, reviewer, text: str) -> None:
    draft = answer_services.create_draft(
        question=question, author=editor, short_answer=text, body="Body.", change_summary="New"
    )
    answer_services.submit_for_review(revision=draft, actor=editor)
    answer_services.approve_revision(
        revision=draft, reviewer=reviewer, review_kind=AnswerRevision.ReviewKind.FULL
    )


def test_an_answer_going_live_refreshes_its_question_condition_and_home_pages(editor, reviewer):
    question = published_question(title="Is it inherited?")
    urls = [question.get_absolute_url(), question.condition.get_absolute_url(), "/"]
    for url in urls:
        _html(url)
    history = reverse(
        "answers:question-history",
        kwargs={"condition_slug": question.condition.slug, "slug": question.slug},
    )
    _html(history)
    _publish_new_text(question, editor, reviewer, "The newly reviewed short answer.")
    assert "The newly reviewed short answer." in _html(question.get_absolute_url())
    assert "New" in _html(history)
    _, queries = _get(Client(), question.condition.get_absolute_url())
    assert queries > 0  # made again: it lists the question with its review
    _, queries = _get(Client(), "/")
    assert queries > 0


def test_a_draft_being_saved_refreshes_nothing(editor):
    question = published_question()
    _html(question.get_absolute_url())
    answer_services.create_draft(
        question=question, author=editor, short_answer="Draft", body="B.", change_summary="x"
    )
    _, queries = _get(Client(), question.get_absolute_url())
    assert queries == 0


def test_a_post_approved_hidden_or_deleted_refreshes_the_pages_that_show_it(moderator):
    from diseasemaps.experiences import services as experience_services

    question = published_question()
    other = published_question(condition=question.condition, slug="other", title="Other?")
    post = ExperienceFactory(
        question=question, status=Experience.Status.PENDING, approved_at=None, body="Mohs, 2019."
    )
    for url in (question.get_absolute_url(), other.get_absolute_url()):
        _html(url)
    experience_services.approve_experience(experience=post, moderator=moderator)
    assert "Mohs, 2019." in _html(question.get_absolute_url())
    assert "Mohs, 2019." in _html(question.condition.get_absolute_url())
    _, queries = _get(Client(), other.get_absolute_url())
    assert queries == 0  # another question's page shows nothing of it
    post.refresh_from_db()
    post.is_hidden = True  # as three reports from different members do
    post.save()
    assert "Mohs, 2019." not in _html(question.get_absolute_url())
    post.is_hidden = False
    post.save()
    assert "Mohs, 2019." in _html(question.get_absolute_url())
    experience_services.delete_experience(experience=post, actor=post.author)
    assert "Mohs, 2019." not in _html(question.get_absolute_url())


def test_a_renamed_condition_or_reviewer_shows_everywhere_at_once():
    question = published_question()
    _html(question.get_absolute_url())
    condition = question.condition
    condition.name = "A renamed condition"
    condition.save()
    assert "A renamed condition" in _html(question.get_absolute_url())
    profile = question.live_revision.reviewer.reviewer_profile
    profile.display_name = "Dr Renamed Reviewer"
    profile.save()
    assert "Dr Renamed Reviewer" in _html(question.get_absolute_url())


def test_a_question_moved_to_a_new_address_is_gone_from_the_old_one():
    question = published_question(slug="old-address")
    old_url = question.get_absolute_url()
    assert Client().get(old_url).status_code == 200
    question.slug = "new-address"
    question.save()
    assert Client().get(old_url).status_code == 404
    assert Client().get(question.get_absolute_url()).status_code == 200


def test_a_new_pseudonym_refreshes_the_pages_with_the_members_posts():
    member = MemberFactory()
    post = ExperienceFactory(author=member, question=published_question())
    old_name = member.member_profile.display_name
    assert old_name in _html(post.question.get_absolute_url())
    member.member_profile.display_name = "ANewPseudonym"
    member.member_profile.save()
    html = _html(post.question.get_absolute_url())
    assert "ANewPseudonym" in html
    assert old_name not in html


def test_every_kind_of_conditional_request_is_still_answered():
    question = published_question()
    url = question.get_absolute_url()
    etag = Client().get(url)["ETag"]
    assert Client().get(url, headers={"if-none-match": etag}).status_code == 304
    assert Client().get(url, headers={"if-none-match": '"other"'}).status_code == 200
    assert Client().get(url, headers={"if-match": '"other"'}).status_code == 412
    assert Client().get(url, headers={"if-match": etag}).status_code == 200
    not_modified = Client().get(url, headers={"if-none-match": etag})
    assert not_modified["ETag"] == etag
    assert "Cookie" in not_modified["Vary"]
    assert not_modified["Cache-Tag"].startswith("all,")


def test_who_may_see_a_members_relationship_refreshes_the_pages_of_their_posts_on_it():
    from diseasemaps.members.models import MemberCondition
    from tests.factories import MemberConditionFactory

    question = published_question()
    post = ExperienceFactory(question=question, written_as=MemberCondition.Relationship.CARING_FOR)
    elsewhere = published_question()  # the author's post on another condition
    ExperienceFactory(question=elsewhere, author=post.author)
    row = MemberConditionFactory(
        user=post.author,
        condition=question.condition,
        relationship=MemberCondition.Relationship.CARING_FOR,
        visibility=MemberCondition.Visibility.MEMBERS,
    )
    urls = [question.get_absolute_url(), question.condition.get_absolute_url()]
    for url in urls:
        assert "Cares for someone with it" not in _html(url)  # stored without it
    _html(elsewhere.get_absolute_url())
    row.visibility = MemberCondition.Visibility.EVERYONE
    row.save()
    for url in urls:
        assert "Cares for someone with it" in _html(url)
    _, queries = _get(Client(), elsewhere.get_absolute_url())
    assert queries == 0  # their posts on other conditions show nothing of it
    row.delete()
    for url in urls:
        assert "Cares for someone with it" not in _html(url)


# --- Releases of the code -------------------------------------------------------------------


def test_a_page_stored_by_another_release_of_the_code_is_not_served(monkeypatch):
    question = published_question()
    url = question.get_absolute_url()
    _html(url)
    _, queries = _get(Client(), url)
    assert queries == 0
    monkeypatch.setattr(pagecache, "_release", lambda: "the-next-release")
    _, queries = _get(Client(), url)
    assert queries > 0  # made again, by this release
    _, queries = _get(Client(), url)
    assert queries == 0


def test_the_release_is_a_digest_of_every_template_and_module(settings, tmp_path):
    templates = tmp_path / "templates"
    (templates / "pages").mkdir(parents=True)
    page = templates / "pages" / "page.html"
    page.write_text("<p>One</p>")
    settings.BASE_DIR = tmp_path
    release = pagecache._release.__wrapped__
    first = release()
    page.write_text("<p>Two</p>")
    assert release() != first
    page.write_text("<p>One</p>")
    assert release() == first
    (templates / "pages" / "new.html").write_text("")
    assert release() != first
    assert pagecache._release() == pagecache._release()  # read once per process


def test_the_release_changes_with_the_static_files_names(monkeypatch):
    release = pagecache._release.__wrapped__
    manifest = {"text": '{"paths": {"css/site.css": "css/site.1a2b3c.css"}}'}
    storage = types.SimpleNamespace(read_manifest=lambda: manifest["text"])
    monkeypatch.setattr(pagecache, "staticfiles_storage", storage)
    first = release()
    manifest["text"] = '{"paths": {"css/site.css": "css/site.4d5e6f.css"}}'
    assert release() != first  # a new style sheet: pages that link to the old one go
