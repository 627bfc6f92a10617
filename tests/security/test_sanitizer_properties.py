"""
Properties of the Markdown → nh3 renderer (diseasemaps/core/markdown.py), over generated input
built from the pieces attacks are made of: raw HTML, event handlers, every way of writing a
link (inline, reference, autolink, image) with hostile schemes spelt with case, whitespace,
entities and percent-encoding, comments, headings, lists and quotes.

Two modes are checked: reviewers' answers (headings allowed, relative links allowed) and
members' posts (no headings, absolute links only, marked as user content).

The "security" profile runs 3,000 examples per property (21,000 in all, about 30 s here);
DISEASEMAPS_SANITIZER_PROFILE=thorough runs 50,000 each, for a change to the renderer.
"""

import itertools
import os
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diseasemaps.core.markdown import (
    ALLOWED_ATTRIBUTES,
    allowed_tags,
    render_markdown,
    sanitize_html,
)
from diseasemaps.experiences.models import EXPERIENCE_LINK_REL, render_experience_markdown

settings.register_profile(
    "security",
    max_examples=3_000,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", settings.get_profile("security"), max_examples=50_000)
PROFILE = settings.get_profile(os.environ.get("DISEASEMAPS_SANITIZER_PROFILE", "security"))

MEMBER_REL = {"nofollow", "ugc", "noopener", "noreferrer"}

SCHEMES = [
    "javascript:",
    "JaVaScRiPt:",
    " javascript:",
    "java\tscript:",
    "java\nscript:",
    "java%09script:",
    "&#106;avascript:",
    "&#x6A;avascript:",
    "javascript&colon;",
    "data:",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:",
    "file:",
    "ftp:",
    "mailto:",
    "tel:",
    "http:",
    "https:",
    "HTTPS:",
    "//",
    "/",
    "./",
    "#",
    "?",
    "",
]
TARGETS = ["alert(1)", "//evil.example/x", "example.org/a b", "x)", "(1)", "'\"><b>", ""]
HTML_PIECES = [
    "<script>alert(1)</script>",
    "<script",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    '<a href="https://example.org" onclick="alert(1)" rel="opener">x</a>',
    '<a href="https://example.org" target="_blank">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "<style>*{}</style>",
    "<p style='color:red'>",
    "<div>",
    "</div>",
    "<h1>",
    "<h6>x</h6>",
    "<table><tr><td>x</td></tr></table>",
    "<form action=/x><input name=a></form>",
    "<base href=//evil.example>",
    "<meta http-equiv=refresh content='0;url=//evil.example'>",
    "<object data=x></object>",
    "<!-- comment -->",
    "<!--",
    "-->",
    "<![CDATA[x]]>",
    "<?php x ?>",
    "<!DOCTYPE html>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<noscript><p title='</noscript><img src=x onerror=alert(1)>'>",
    "<select><template><style></style></template></select>",
    "&lt;script&gt;",
    "&#60;",
    "&amp;",
    "\u202e",
    "\x00",
]
MARKDOWN_PIECES = [
    "# ",
    "## ",
    "###### ",
    "\n",
    "\n\n",
    "- ",
    "1. ",
    "> ",
    "    ",
    "`",
    "``",
    "*",
    "**",
    "_",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "!",
    '"',
    "'",
    "\\",
    "text",
    " ",
    "---",
    "```\n",
]


LABELS = ["x", "click", "", "<b>b</b>", "`c`"]
TITLES = ["", ' "t"', " 'a\" onmouseover=\"x'"]


def _link(parts: tuple[str, str, str, str, str]) -> str:
    scheme, target, label, title, form = parts
    target = scheme + target
    if form == "inline":
        return f"[{label}]({target}{title})"
    if form == "image":
        return f"![{label}]({target}{title})"
    if form == "reference":
        return f"[{label}][r]\n\n[r]: {target}{title}\n"
    return f"<{target}>"


# Every link from these choices, as one flat list: drawing one string is far cheaper than
# drawing its five parts, and the engine's cost per draw is most of a run.
LINKS = [
    _link(parts)
    for parts in itertools.product(
        SCHEMES, TARGETS, LABELS, TITLES, ["inline", "image", "reference", "autolink"]
    )
]

markdown_documents = st.lists(
    st.one_of(
        st.sampled_from(LINKS),
        st.sampled_from(HTML_PIECES + MARKDOWN_PIECES),
        st.text(max_size=6),
    ),
    max_size=12,
).map("".join)


class Elements(HTMLParser):
    """Every element, attribute, comment and declaration in a piece of HTML."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.other: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.other.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.other.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.other.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.other.append(f"declaration {data!r}")


MODES = {
    "answer": {
        "render": render_markdown,
        "options": {"allow_headings": True, "link_rel": "noopener", "absolute_links_only": False},
    },
    "member post": {
        "render": render_experience_markdown,
        "options": {
            "allow_headings": False,
            "link_rel": EXPERIENCE_LINK_REL,
            "absolute_links_only": True,
        },
    },
}


each_mode = pytest.mark.parametrize("mode", list(MODES.values()), ids=list(MODES))


@each_mode
@settings(PROFILE)
@given(text=markdown_documents)
def test_only_allowlisted_tags_and_attributes_survive(mode, text):
    html = mode["render"](text)
    parsed = Elements(html)
    tags = allowed_tags(allow_headings=mode["options"]["allow_headings"])
    assert parsed.other == [], html
    for tag, attributes in parsed.elements:
        assert tag in tags, html
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        assert set(attributes) <= allowed, html


@each_mode
@settings(PROFILE)
@given(text=markdown_documents)
def test_links_point_only_to_http_or_https(mode, text):
    html = mode["render"](text)
    for tag, attributes in Elements(html).elements:
        if tag != "a" or "href" not in attributes:
            continue
        href = attributes["href"] or ""
        assert urlsplit(href).scheme.lower() in {"", "http", "https"}, html
        # A browser drops tabs and newlines from a URL: what it would follow must pass too.
        followed = "".join(c for c in href if c not in "\t\n\r").strip()
        assert urlsplit(followed).scheme.lower() in {"", "http", "https"}, html
        if mode["options"]["absolute_links_only"]:
            assert followed.lower().startswith(("http://", "https://")), html


@settings(PROFILE)
@given(text=markdown_documents)
def test_every_link_in_a_members_post_is_marked_nofollow_ugc_noopener_noreferrer(text):
    html = render_experience_markdown(text)
    for tag, attributes in Elements(html).elements:
        if tag == "a":
            assert set((attributes.get("rel") or "").split()) >= MEMBER_REL, html


@each_mode
@settings(PROFILE)
@given(text=markdown_documents)
def test_cleaning_is_idempotent(mode, text):
    html = mode["render"](text)
    assert sanitize_html(html, **mode["options"]) == html
