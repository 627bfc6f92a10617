"""
Markdown to safe HTML, for reviewers' answers and members' posts alike.

markdown-it-py passes raw HTML through and knows nothing of our page structure, so its output
always goes through nh3 with an allow-list. Headings are clamped to h2–h4: each page has one h1
(the question), and a reviewer's "# Title" must not compete with it.
"""

from functools import cache

import nh3
from markdown_it import MarkdownIt

_BASE_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a", "blockquote", "code"}
_HEADING_TAGS = {"h2", "h3", "h4"}


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def _clamp_headings(tokens, *, allow_headings: bool) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            if allow_headings:
                level = min(max(int(token.tag[1]), 2), 4)
                token.tag = f"h{level}"
            else:
                token.tag = "p"


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
    md = _parser()
    tokens = md.parse(text or "")
    _clamp_headings(tokens, allow_headings=allow_headings)
    html = md.renderer.render(tokens, md.options, {})
    tags = _BASE_TAGS | (_HEADING_TAGS if allow_headings else set())
    return nh3.clean(
        html,
        tags=tags,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https"},
        link_rel=link_rel,
        strip_comments=True,
        url_relative="deny" if absolute_links_only else None,
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
