"""
Markdown to safe HTML, for reviewers' answers and members' posts alike.

markdown-it-py passes raw HTML through and knows nothing of our page structure, so its output
always goes through nh3 with an allow-list. Headings are clamped to h2–h4: each page has one h1
(the question), and a reviewer's "# Title" must not compete with it.
"""

import re
from functools import cache

import nh3
from markdown_it import MarkdownIt

_BASE_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a", "blockquote", "code"}
_HEADING_TAGS = {"h2", "h3", "h4"}


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _link_allowed(url: str, *, absolute_links_only: bool) -> bool:
    """
    The same rule the sanitizer applies, checked while parsing: a link it would strip of its
    target stays plain text instead of becoming an <a> without one.
    """
    if absolute_links_only:
        return bool(_ABSOLUTE_URL.match(url))
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(0).lower() in ("http:", "https:")


@cache
def _parser(*, absolute_links_only: bool = False) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = lambda url: _link_allowed(url, absolute_links_only=absolute_links_only)
    return md


def _clamp_headings(tokens, *, allow_headings: bool) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            if allow_headings:
                level = min(max(int(token.tag[1]), 2), 4)
                token.tag = f"h{level}"
            else:
                token.tag = "p"


ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https"}
# An absolute link names its host: "https:/accounts/logout/" has a scheme but no host, and a
# browser on an https page resolves it against our own site.
_ABSOLUTE_URL = re.compile(r"https?://[^/\\\s?#]", re.IGNORECASE)


def _absolute_links_only(element: str, attribute: str, value: str) -> str | None:
    if element == "a" and attribute == "href" and not _ABSOLUTE_URL.match(value):
        return None
    return value


def allowed_tags(*, allow_headings: bool) -> set[str]:
    return _BASE_TAGS | (_HEADING_TAGS if allow_headings else set())


def sanitize_html(
    html: str,
    *,
    allow_headings: bool = True,
    link_rel: str = "noopener",
    absolute_links_only: bool = False,
) -> str:
    """
    The allow-list every rendered text passes through (see `render_markdown`). Cleaning its own
    output changes nothing, so stored HTML can be cleaned again safely.
    """
    return nh3.clean(
        html,
        tags=allowed_tags(allow_headings=allow_headings),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=link_rel,
        strip_comments=True,
        url_relative="deny" if absolute_links_only else None,
        attribute_filter=_absolute_links_only if absolute_links_only else None,
    )


def render_markdown(
    text: str,
    *,
    allow_headings: bool = True,
    link_rel: str = "noopener",
    absolute_links_only: bool = False,
) -> str:
    """
    Render Markdown to sanitized HTML.

    Allowed: paragraphs, lists, emphasis, blockquotes, inline code, links with http or https
    targets, and (when `allow_headings`) h2–h4. Everything else is dropped, its text kept.
    `absolute_links_only` also drops relative link targets, which in a member's post could only
    be a trick (a path on our own site dressed up as something else).
    """
    md = _parser(absolute_links_only=absolute_links_only)
    tokens = md.parse(text or "")
    _clamp_headings(tokens, allow_headings=allow_headings)
    html = md.renderer.render(tokens, md.options, {})
    return sanitize_html(
        html,
        allow_headings=allow_headings,
        link_rel=link_rel,
        absolute_links_only=absolute_links_only,
    )


@cache
def _permissive_parser() -> MarkdownIt:
    # The rendering parser silently turns a javascript: link into plain text; to tell the
    # writer about it, validators need to see every target that was written.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = lambda url: True
    return md


def link_targets(text: str) -> list[str]:
    """Every link and image target written in `text`, for validators that refuse bad ones."""
    targets = []
    stack = list(_permissive_parser().parse(text or ""))
    while stack:
        token = stack.pop(0)
        if token.children:
            stack[:0] = token.children
        for attribute in ("href", "src"):
            value = token.attrGet(attribute) if token.attrs else None
            if value is not None:
                targets.append(str(value))
    return targets
