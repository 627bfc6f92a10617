"""
Canaries: member A's secrets (e-mail address, posts waiting, rejected or hidden, an edit
waiting, a members-only post, a private bio, conditions kept to "only me" or to members) each
carry a word found nowhere else. A crawl as a visitor and as another member (every page reached
by following links from the home page, the sitemap and robots.txt, A's member page and posts,
a search for every canary word, any feed), the e-mails sent in the run, the members' data
exports and every log line of the whole run must not hold one where it does not belong.
"""

import json
import logging
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, quote_plus, unquote_plus, urldefrag, urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from diseasemaps.experiences import services as experience_services
from diseasemaps.experiences.models import Report
from tests.factories import TEST_PASSWORD
from tests.security.world import EDITOR, MEMBER_A, MEMBER_B, VISITOR, build_world

pytestmark = pytest.mark.django_db

MAX_PAGES = 400
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/", "/accounts/logout/", "/favicon.ico")


class PageParts(HTMLParser):
    """Links, JSON-LD blocks, meta tags and feed links of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.feeds: list[str] = []
        self.meta: list[str] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        is_feed = re.search(r"rss|atom|feed", attributes.get("type") or "")
        if tag == "link" and "alternate" in (attributes.get("rel") or "") and is_feed:
            self.feeds.append(attributes.get("href") or "")
        if tag == "meta":
            self.meta.append(" ".join(v or "" for v in attributes.values()))
        if tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_jsonld = True
            self.jsonld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld[-1] += data


def crawl(client: Client, seeds: list[str]) -> dict[str, tuple[int, str]]:
    """URL → (status, body) of every page reachable from the seeds by following links."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque(seeds)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = response.content.decode(errors="replace")
        seen[url] = (response.status_code, body)
        if "xml" in response.get("Content-Type", ""):
            links = re.findall(r"<loc>([^<]+)</loc>", body)
        elif response.get("Content-Type", "").startswith("text/plain"):
            links = re.findall(r"^Sitemap: (\S+)", body, re.MULTILINE)
        else:
            parts = PageParts(body)
            links = parts.links + parts.feeds
        for link in links:
            target = urldefrag(link).url
            split = urlsplit(target)
            if split.netloc and split.netloc not in ("testserver", "diseasemaps.example"):
                continue  # another site
            path = split.path + (f"?{split.query}" if split.query else "")
            if path and path.startswith("/") and not path.startswith(SKIPPED_PREFIXES):
                queue.append(path)
    return seen


def found(canaries: dict[str, str], text: str) -> list[str]:
    return [what for what, word in canaries.items() if word.lower() in text.lower()]


def without_echo(client: Client, url: str, body: str) -> str:
    """
    A search page shows what was typed: take out as many copies of the query as the page for a
    word that matches nothing shows of its own, so that only results are left to look at.
    """
    split = urlsplit(url)
    if split.path != reverse("search:results") or not split.query.startswith("q="):
        # A page reached with the crawler's own search in its address (the log-in link on a
        # search page carries it as `next`) repeats that address, as typed by this reader.
        for _name, value in parse_qsl(split.query):
            searched = [word for _key, word in parse_qsl(urlsplit(value).query)]
            for text in [value, *searched]:
                for form in {text, quote(text, safe=""), quote_plus(text), escape(text)}:
                    body = body.replace(form, "")
        return body
    query = unquote_plus(split.query[2:])
    blank = "qzxnomatchqzx"
    echoes = client.get(reverse("search:results") + "?q=" + blank).content.decode().count(blank)
    return body.replace(query, "", echoes)


def seeds_for(world) -> list[str]:
    a = world.users[MEMBER_A]
    canaries = world.canaries
    words = [
        canaries.email,
        canaries.pending_post,
        canaries.rejected_post,
        canaries.hidden_post,
        canaries.pending_edit,
        canaries.members_only_post,
        canaries.pending_reply,
        canaries.members_only_reply,
        canaries.private_bio,
        canaries.report_details,
        "Pseudonymalpha",
    ]
    posts = [v for k, v in world.objects.items() if k.startswith("A ") and k.endswith("post")]
    return [
        "/",
        reverse("pages:sitemap"),
        reverse("pages:robots"),
        a.member_profile.get_absolute_url(),
        *[post.get_absolute_url() for post in posts],
        *[reverse("search:results") + "?q=" + word for word in words],
    ]


def send_the_runs_emails(world) -> None:
    """Mails of every kind the site sends, to A, to B and to staff."""
    a, b = world.users[MEMBER_A], world.users[MEMBER_B]
    visitor = Client()
    visitor.post(reverse("account_reset_password"), {"email": a.email})
    visitor.post(reverse("account_reset_password"), {"email": b.email})
    experience_services.report_experience(
        experience=world["B public post"], reporter=a, reason=Report.Reason.AT_RISK
    )
    experience_services.report_experience(
        experience=world["A members-only post"], reporter=b, reason=Report.Reason.AT_RISK
    )
    call_command("send_review_reminders", within_days=400)


def export_of(world, role: str) -> str:
    client = world.client(role)
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    response = client.post(reverse("members:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_no_canary_where_it_must_not_be(caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    world = build_world()
    canaries = world.canaries
    with django_capture_on_commit_callbacks(execute=True):
        send_the_runs_emails(world)
    seeds = seeds_for(world)
    problems = []
    pages = {}
    for role, forbidden in (
        (VISITOR, canaries.never_public()),
        (MEMBER_B, canaries.never_to_another_member()),
    ):
        pages[role] = crawl(world.client(role), seeds)
        for url, (status, page) in pages[role].items():
            body = without_echo(world.client(role), url, page)
            problems += [f"{what} on {url} ({status}) as {role}" for what in found(forbidden, body)]
            parts = PageParts(body)
            for what in found(canaries.never_public(), " ".join(parts.meta + parts.jsonld)):
                problems.append(f"{what} in the meta tags or JSON-LD of {url} for {role}")
            for block in parts.jsonld:
                json.loads(block)  # every JSON-LD block is well-formed JSON
    assert len(pages[VISITOR]) >= 20, sorted(pages[VISITOR])
    member_page = world.users[MEMBER_A].member_profile.get_absolute_url()
    as_visitor = pages[VISITOR][member_page][1]
    as_member = pages[MEMBER_B][member_page][1]
    assert "Dermatofibrosarcoma Protuberans" in as_visitor  # what A made public
    assert canaries.members_condition not in as_visitor
    assert canaries.members_condition in as_member
    assert canaries.only_me_condition not in as_visitor + as_member
    members_only = world["A members-only post"].get_absolute_url()
    assert canaries.members_only_post in pages[MEMBER_B][members_only][1]
    assert canaries.members_only_reply in pages[MEMBER_B][members_only][1]

    # E-mails: A's secrets go to A only.
    assert len(mail.outbox) >= 4
    for message in mail.outbox:
        text = " ".join([message.subject, message.body, *message.to, *message.cc, *message.bcc])
        if message.to != [canaries.email]:
            problems += [
                f"{what} in a mail to {message.to}" for what in found(canaries.never_public(), text)
            ]
        for what in found({"a condition": canaries.only_me_condition}, message.subject):
            problems.append(f"{what} in the subject of a mail to {message.to}")

    # Exports: another member's and an editor's data hold none of A's.
    for role in (MEMBER_B, EDITOR):
        forbidden = canaries.never_public()
        del forbidden["B's report about A's post"]  # B wrote it: it is B's own data
        export = export_of(world, role)
        problems += [f"{what} in {role}'s export" for what in found(forbidden, export)]

    # Logs of the whole run, at DEBUG; factory_boy's own lines describe the test data it made.
    log_text = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        if not record.name.startswith("factory")
    )
    assert log_text, "the run logs something (the crawl asks for pages that do not exist)"
    problems += [f"{what} in the logs" for what in found(canaries.never_public(), log_text)]

    assert problems == [], "\n".join(problems)
