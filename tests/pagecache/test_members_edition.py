"""
Members' question pages filled in from the members' edition (core.pagecache.members_edition,
pages.editions): the same page, byte for byte, as the one made for each member alone; nothing
of any member's own in what is stored; made again when what it shows changes; few queries.
"""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diseasemaps.answers import services as answer_services
from diseasemaps.answers.models import AnswerRevision
from diseasemaps.community import services as community_services
from diseasemaps.community.models import Kind, Notification
from diseasemaps.core import pagecache
from diseasemaps.core.pagecache import Holes
from diseasemaps.core.services import Role
from diseasemaps.experiences import services as experience_services
from diseasemaps.experiences.models import Experience
from tests.conftest import mfa_client
from tests.factories import (
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    StaffFactory,
    TreatmentFactory,
    published_question,
)

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
MARK = re.compile(r"hole-[0-9a-f]{32}")
PENDING_REPLY = "A reply of mine that still waits for a moderator, private."
APPROVED_REPLY = "A reply of mine that a moderator published, on a listed post."


@pytest.fixture(params=["redis", "database"])
def shared_cache(request, settings):
    """The page cache on, in the shared cache production runs on (Redis) or `make run`'s."""
    settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 600
    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    return request.getfixturevalue("database_cache")


@pytest.fixture
def database_cache(settings):
    """The page cache on, in the database cache (`make run`'s): its reads are queries."""
    settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 600
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "diseasemaps_cache",
        }
    }
    cache.clear()
    return cache


def _tokens_alike(html: str) -> str:
    return TOKEN.sub(r"\1TOKEN\2", html)


def _edition_key(url: str) -> str:
    return pagecache._page_key(RequestFactory().get(url), "members")


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client, url) -> str:
    return _response(client, url).content.decode()


def _response(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert not MARK.search(response.content.decode()), "a mark of the edition reached a browser"
    return response


def _headers(response) -> dict:
    """What a response says of itself, less what differs from one request to the next."""
    return {
        name: value
        for name, value in response.headers.items()
        if name not in ("Expires", "X-Request-ID", "Content-Length")
    }


class Site:
    """
    A question with posts, and members in every state its page shows differently: who wrote a
    listed post, who replied under one (waiting and published), who found one helpful, who
    follows the question, whose posts wait for a moderator, who has unread notifications.
    """

    def __init__(self):
        self.question = published_question(
            condition__name="Dermatofibrosarcoma Protuberans", condition__abbreviation="DFSP"
        )
        self.url = self.question.get_absolute_url()
        condition = self.question.condition
        self.moderator = StaffFactory(roles=[Role.MODERATOR])
        # Older posts, for a second page; then the posts the members wrote or reacted to.
        ExperienceFactory.create_batch(
            settings.DISEASEMAPS_EXPERIENCES_PER_PAGE, question=self.question
        )
        ExperienceFactory(question=self.question, author=None, body="A former member's post.")
        self.posts = [
            ExperienceFactory(question=self.question, body=f"Mohs surgery, listed post {n}.")
            for n in range(3)
        ]
        self.posts.append(
            ExperienceFactory(
                question=self.question,
                audience=Experience.Audience.MEMBERS,
                body="Mohs surgery, a post for members only.",
            )
        )
        self.treatment = TreatmentFactory(condition=condition, name="Mohs surgery")
        for post in self.posts[:3]:
            post.treatments.add(self.treatment)
        self.addresses = [
            self.url,
            f"{self.url}?sort=helpful",
            f"{self.url}?treatment={self.treatment.pk}",
            f"{self.url}?page=2",
        ]
        self.reader = MemberFactory()
        self.author = self.posts[0].author
        self.replier = self._replier(condition)
        self.helped = MemberFactory()
        experience_services.toggle_helpful(experience=self.posts[1], user=self.helped)
        self.follower = MemberFactory()
        community_services.follow(user=self.follower, question=self.question)
        self.waiting = self._waiting()
        self.notified = MemberFactory()
        self._notify(self.notified)
        self.editor = StaffFactory(roles=[Role.EDITOR])
        self.everything = self._everything(condition)

    def _replier(self, condition, user=None):
        user = user or MemberConditionFactory(condition=condition).user
        experience_services.submit_reply(author=user, experience=self.posts[2], body=PENDING_REPLY)
        published = experience_services.submit_reply(
            author=user, experience=self.posts[3], body=APPROVED_REPLY
        )
        experience_services.approve_reply(reply=published, moderator=self.moderator)
        return user

    def _waiting(self, user=None):
        user = user or MemberFactory()
        ExperienceFactory(
            question=self.question,
            author=user,
            status=Experience.Status.PENDING,
            approved_at=None,
            body="My post that waits for a moderator, private.",
        )
        ExperienceFactory(
            question=self.question,
            author=user,
            is_hidden=True,
            body="My post hidden after reports, private.",
        )
        edited = ExperienceFactory(
            question=self.question, author=user, body="My approved post, shown to all."
        )
        experience_services.edit_experience(
            experience=edited,
            editor=user,
            body="My changes that wait for a moderator, private.",
            audience=edited.audience,
        )
        return user

    @staticmethod
    def _notify(user):
        Notification.objects.create(
            user=user, kind=Kind.REPLY, event=f"test:{user.pk}", text="Someone replied", url="/"
        )

    def _everything(self, condition):
        """One member in every state at once."""
        user = self._replier(condition)
        ExperienceFactory(question=self.question, author=user, body="A listed post of mine.")
        experience_services.toggle_helpful(experience=self.posts[1], user=user)
        community_services.follow(user=user, question=self.question)
        self._waiting(user)
        self._notify(user)
        return user

    def client(self, who: str) -> Client:
        user = getattr(self, who)
        return mfa_client(user) if user.is_staff else _logged_in(user)


@pytest.fixture
def site(settings):
    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 100  # every post and reply waits
    return Site()


STAFF = ("editor", "moderator")
# Each member, and what only their page shows (so that the pages compared differ).
MEMBERS = {
    "reader": [],
    "author": ["Edit your post"],
    "replier": [PENDING_REPLY, APPROVED_REPLY, "Delete your reply"],
    "helped": ['aria-pressed="true"'],
    "follower": ["You follow this question"],
    "waiting": [
        "is waiting for a moderator",
        "is hidden while a moderator",
        "Your changes to your post",
        "Edit your post",
    ],
    "notified": ['Notifications <strong>1<span class="visually-hidden"> unread'],
    "editor": ['href="/admin/">Admin</a>'],
    "moderator": ['href="/admin/">Admin</a>'],
}
MEMBERS["everything"] = list(
    dict.fromkeys(shown for name, shows in MEMBERS.items() if name not in STAFF for shown in shows)
)


# --- The same page as the one made for them -----------------------------------------------


def test_a_members_page_from_the_edition_is_the_page_made_for_them_alone(
    shared_cache, site, settings
):
    for who in MEMBERS:
        client = site.client(who)
        for url in site.addresses:
            settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 0
            response = _response(client, url)
            alone, alone_headers = response.content.decode(), _headers(response)
            if url == site.url:
                for shown in MEMBERS[who]:
                    assert shown in alone, (who, shown)
            assert ("Admin</a>" in alone) == (who in STAFF)
            settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 600
            _get(client, url)  # the edition is made, if no member asked before
            assert shared_cache.get(_edition_key(url)) is not None
            response = _response(client, url)
            assert _tokens_alike(response.content.decode()) == _tokens_alike(alone), (who, url)
            assert _headers(response) == alone_headers


# --- The holes ------------------------------------------------------------------------------


def _filled(holes: Holes, body: str, **replace) -> str:
    return holes.fill(
        body,
        lambda name, key: f"[{name}{'' if key is None else ' ' + key}]",
        replace={int(key[1:]): html for key, html in replace.items()},
    )


def test_every_mark_is_replaced_by_its_value():
    holes = Holes()
    body = (
        f'<input value="{holes["csrf"]}"><nav>{holes["nav"]}</nav>'
        f'<button aria-pressed="{holes.mark("pressed", 12)}">'
    )
    assert (
        _filled(holes, body)
        == '<input value="[csrf]"><nav>[nav]</nav><button aria-pressed="[pressed 12]">'
    )


def test_a_part_between_from_and_to_is_replaced_whole_and_the_marks_left_go():
    holes = Holes()
    post = lambda pk, text: f"{holes.mark('from', pk)}<li>{text}</li>{holes.mark('to', pk)}"  # noqa: E731
    body = f"<ol>{post(3, 'Three ' + holes.mark('pressed', 3))}{post(4, 'Four')}</ol>"
    assert _filled(holes, body, k3="<li>Mine</li>") == "<ol><li>Mine</li><li>Four</li></ol>"
    assert _filled(holes, body) == "<ol><li>Three [pressed 3]</li><li>Four</li></ol>"


def test_the_part_of_one_post_is_not_that_of_a_post_whose_key_starts_with_the_same_digits():
    holes = Holes()
    post = lambda pk: f"{holes.mark('from', pk)}<li>Post {pk}</li>{holes.mark('to', pk)}"  # noqa: E731
    body = f"<ol>{post(11)}{post(1)}{post(12)}</ol>"
    assert _filled(holes, body, k1="<li>Mine</li>") == (
        "<ol><li>Post 11</li><li>Mine</li><li>Post 12</li></ol>"
    )


def test_marks_of_another_edition_are_left_alone():
    holes, other = Holes(), Holes()
    assert holes.nonce != other.nonce
    body = f"{holes['csrf']} {other['csrf']} {other.mark('from', 1)}x{other.mark('to', 1)}"
    assert _filled(holes, body, k1="mine") == (
        f"[csrf] {other['csrf']} {other.mark('from', 1)}x{other.mark('to', 1)}"
    )


def test_a_key_followed_by_letters_is_not_swallowed():
    holes = Holes()
    assert _filled(holes, f"{holes.mark('pressed', 7)}abc-9 done") == "[pressed 7]abc-9 done"
    assert (
        _filled(holes, f"({holes['nav']}) {holes.mark('pressed', 7)}-x") == "([nav]) [pressed 7]-x"
    )


def test_a_mark_someone_wrote_into_a_post_is_not_a_mark_of_the_edition():
    holes = Holes()
    guessed = Holes(nonce="0" * 32)
    body = f"<p>{guessed['csrf']}</p>{holes['csrf']}"
    assert _filled(holes, body) == f"<p>{guessed['csrf']}</p>[csrf]"


# --- Nothing of anyone's own in what is stored ----------------------------------------------


def test_the_stored_edition_holds_nothing_of_the_member_whose_request_made_it(
    shared_cache, site, settings
):
    client = site.client("everything")
    html = _get(client, site.url)
    for shown in MEMBERS["everything"]:
        assert shown in html
    stored = shared_cache.get(_edition_key(site.url))
    body = stored["body"]
    assert client.cookies[settings.CSRF_COOKIE_NAME].value not in body
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)
    assert tokens
    assert all(token not in body for token in tokens)
    assert set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', body)) == {
        f"hole-{stored['nonce']}-csrf"
    }
    for personal in (
        "You follow",
        "unread",
        "Log out",
        "My account",
        "waiting for a moderator",
        "hidden while a moderator",
        "Your changes to your post",
        "private.",
        PENDING_REPLY,
        'aria-pressed="true"',
        "Edit your post",
        "Delete your reply",
    ):
        assert personal not in body, personal
    assert APPROVED_REPLY in body  # published: every member reads it
    assert "Mohs surgery, a post for members only." in body
    assert "A former member" in body
    facts = stored["facts"]
    assert set(facts) == {"question", "posts", "site_name", "parts"}
    # The header and follow button in every form, each with holes where the member's own go.
    parts = facts["parts"]
    assert set(parts["nav"]) == {(False, False), (False, True), (True, False), (True, True)}
    assert set(parts["follow"]) == {False, True}
    for part in [*parts["nav"].values(), *parts["follow"].values()]:
        assert all(token not in part for token in tokens)
        assert set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', part)) == {
            f"hole-{stored['nonce']}-csrf"
        }
        assert site.everything.email not in part
    assert f"<strong>hole-{stored['nonce']}-unread<" in parts["nav"][False, True]
    assert "<strong>" not in parts["nav"][False, False]
    listed = Experience.objects.visible().filter(question=site.question).sorted_by("newest")
    first_page = listed[: settings.DISEASEMAPS_EXPERIENCES_PER_PAGE]
    assert list(facts["posts"].items()) == list(first_page.values_list("pk", "author_id"))


# --- Made again when what it shows changes --------------------------------------------------


def _nonce(url: str) -> str:
    return cache.get(_edition_key(url))["nonce"]


def _publish_new_text(question, editor, reviewer, text: str) -> None:
    draft = answer_services.create_draft(
        question=question, author=editor, short_answer=text, body="Body.", change_summary="New"
    )
    answer_services.submit_for_review(revision=draft, actor=editor)
    answer_services.approve_revision(
        revision=draft, reviewer=reviewer, review_kind=AnswerRevision.ReviewKind.FULL
    )


def test_each_change_on_the_page_shows_in_the_next_members_page(
    shared_cache, settings, moderator, editor, reviewer
):
    settings.DISEASEMAPS_EXPERIENCES_TRUSTED_AFTER = 100
    question = published_question()
    url = question.get_absolute_url()
    author = MemberConditionFactory(condition=question.condition).user
    post = ExperienceFactory(question=question, author=author, body="The approved text of it.")
    waiting = ExperienceFactory(
        question=question, status=Experience.Status.PENDING, approved_at=None, body="A new post."
    )
    hidden = ExperienceFactory(question=question, body="A post that will be reported.")
    reply = experience_services.submit_reply(
        author=author, experience=hidden, body="A reply that waits for a moderator."
    )
    reader = _logged_in(MemberFactory())
    html = _get(reader, url)
    assert "The approved text of it." in html
    assert "A new post." not in html
    assert "A reply that waits" not in html

    def changed(before: str) -> str:
        html = _get(reader, url)
        assert _nonce(url) != before  # made again
        return html

    nonce = _nonce(url)
    experience_services.approve_experience(experience=waiting, moderator=moderator)
    html = changed(nonce)
    assert "A new post." in html

    nonce = _nonce(url)
    experience_services.edit_experience(
        experience=post,
        editor=author,
        body="The text as the author changed it.",
        audience="everyone",
    )
    experience_services.approve_experience(experience=post, moderator=moderator)
    html = changed(nonce)
    assert "The text as the author changed it." in html
    assert "The approved text of it." not in html

    nonce = _nonce(url)
    experience_services.approve_reply(reply=reply, moderator=moderator)
    assert "A reply that waits for a moderator." in changed(nonce)

    nonce = _nonce(url)
    hidden.refresh_from_db()
    hidden.is_hidden = True  # as three reports from different members do
    hidden.save()
    assert "A post that will be reported." not in changed(nonce)

    nonce = _nonce(url)
    helper = _logged_in(MemberFactory())
    helper.post(reverse("experiences:helpful", args=[post.pk]), {"next": url})
    html = changed(nonce)
    assert re.search(rf'id="experience-{post.pk}".*?&nbsp;· 1<', html, flags=re.DOTALL)

    nonce = _nonce(url)
    _publish_new_text(question, editor, reviewer, "The newly reviewed short answer.")
    assert "The newly reviewed short answer." in changed(nonce)


def _pressed(html: str, post) -> str:
    found = re.search(
        rf'id="experience-{post.pk}".*?aria-pressed="([a-z]+)"', html, flags=re.DOTALL
    )
    return found.group(1)


def test_what_one_member_does_never_shows_to_another(shared_cache):
    question = published_question()
    url = question.get_absolute_url()
    post = ExperienceFactory(question=question)
    first, second = MemberFactory(), MemberFactory()
    assert _pressed(_get(_logged_in(second), url), post) == "false"
    before = _nonce(url)
    experience_services.toggle_helpful(experience=post, user=first)
    community_services.follow(user=first, question=question)
    html = _get(_logged_in(first), url)  # the edition is made again, in their request
    assert _pressed(html, post) == "true"
    assert "You follow this question" in html
    made_for_first = _nonce(url)
    assert made_for_first != before
    html = _get(_logged_in(second), url)
    assert _nonce(url) == made_for_first  # the same edition
    assert _pressed(html, post) == "false"
    assert "&nbsp;· 1<" in html  # the count is everyone's
    assert "You follow this question" not in html
    assert "Follow this question" in html


# --- Messages -------------------------------------------------------------------------------


def test_a_message_shows_once_in_a_page_made_for_the_member_then_the_edition_serves_them(
    shared_cache, monkeypatch
):
    from diseasemaps.pages import views

    filled = []
    fill = views.fill_question_page
    monkeypatch.setattr(views, "fill_question_page", lambda *args: filled.append(1) or fill(*args))
    question = published_question(title="Is it inherited?")
    url = question.get_absolute_url()
    message = "You follow Is it inherited?. Only you can see what you follow."
    client = _logged_in(MemberFactory())
    _get(client, url)
    assert len(filled) == 1
    client.post(
        reverse("community:follow-question", args=[question.condition.slug, question.slug]),
        {"next": url},
    )
    response = client.get(url)
    assert response.content.decode().count(message) == 1
    assert len(filled) == 1  # made for them, with their message
    assert message not in cache.get(_edition_key(url))["body"]
    assert response.cookies["messages"]["max-age"] == 0  # shown: the browser forgets it
    del client.cookies["messages"]
    html = _get(client, url)
    assert len(filled) == 2
    assert message not in html
    assert "You follow this question" in html


# --- Queries --------------------------------------------------------------------------------

# A member's question page from the edition: the session, the account, the two read limits,
# the edition and its tags' versions (one read of the cache), what is theirs (viewer_state);
# and for a member whose posts are listed, those posts made for them (the posts, their
# treatments, their replies).
FROM_EDITION = {"reader": 6, "author": 9}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def _add_posts(question, author, reader, n: int) -> None:
    """`n` posts more, `author`'s among them, some that `reader` found helpful or replied to."""
    others = ExperienceFactory.create_batch(n, question=question)
    ExperienceFactory.create_batch(2, question=question, author=author)
    replier = MemberConditionFactory(condition=question.condition).user
    for post in others[: n // 2]:
        experience_services.toggle_helpful(experience=post, user=reader)
        experience_services.submit_reply(
            author=replier, experience=post, body="A reply under one of the posts."
        )


def test_a_members_page_from_the_edition_runs_the_same_few_queries_however_many_posts(
    database_cache, settings
):
    question = published_question()
    url = question.get_absolute_url()
    author, reader = MemberFactory(), MemberFactory()
    clients = {"reader": _logged_in(reader), "author": _logged_in(author)}
    counts = {}
    for n in (2, 30):
        _add_posts(question, author, reader, n)
        for who, client in clients.items():
            client.get(url)  # the edition is made
            from_edition = _queries(client, url)
            settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 0
            client.get(url)
            alone = _queries(client, url)
            settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 600
            assert from_edition <= alone, who
            counts[who, n] = from_edition
    assert counts == {
        ("reader", 2): FROM_EDITION["reader"],
        ("author", 2): FROM_EDITION["author"],
        ("reader", 30): FROM_EDITION["reader"],
        ("author", 30): FROM_EDITION["author"],
    }


def test_an_edition_made_by_another_release_of_the_code_is_not_served(monkeypatch, settings):
    settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 600
    question = published_question()
    url = question.get_absolute_url()
    client = _logged_in(MemberFactory())
    _get(client, url)
    before = cache.get(_edition_key(url))
    monkeypatch.setattr(pagecache, "_release", lambda: "the-next-release")
    assert cache.get(_edition_key(url)) is None
    _get(client, url)
    made = cache.get(_edition_key(url))
    assert made is not None
    assert made["nonce"] != before["nonce"]
