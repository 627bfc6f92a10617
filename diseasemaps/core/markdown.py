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
# A numbered reference in an answer, "[2]": the second source listed under it.
_CITATION = re.compile(r"\[([1-9]\d{0,2})\]")
# The only relative link an answer may hold: to one of its own numbered sources.
_SOURCE_FRAGMENT = re.compile(r"#source-[1-9]\d{0,2}")


def source_anchor(number: int) -> str:
    """The id of the n-th source in the list under an answer (templates/answers/_source.html)."""
    return f"source-{number}"


def _citation_rule(state, silent: bool) -> bool:
    """
    "[2]" is a reference to the answer's second source. "[2](https://…)" stays a link whose text
    is 2, and an escaped "\\[2]" or one in `code` stays text.
    """
    if state.src[state.pos] != "[":
        return False
    match = _CITATION.match(state.src, state.pos)
    if match is None or state.src[match.end() : match.end() + 1] == "(":
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"number": int(match.group(1))}
    state.pos = match.end()
    return True


def _render_citation(renderer, tokens, index, options, env) -> str:
    number = tokens[index].meta["number"]
    return f'<a href="#{source_anchor(number)}">[{number}]</a>'


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _link_allowed(url: str, *, absolute_links_only: bool, citations: bool = False) -> bool:
    """
    The same rule the sanitizer applies, checked while parsing: a link it would strip of its
    target stays plain text instead of becoming an <a> without one.
    """
    if absolute_links_only:
        return bool(_ABSOLUTE_URL.match(url))
    scheme = _SCHEME.match(url)
    if scheme is None:
        return not citations or bool(_SOURCE_FRAGMENT.fullmatch(url))
    return scheme.group(0).lower() in ("http:", "https:")


@cache
def _parser(*, absolute_links_only: bool = False, citations: bool = False) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = lambda url: _link_allowed(
        url, absolute_links_only=absolute_links_only, citations=citations
    )
    if citations:
        md.inline.ruler.before("link", "citation", _citation_rule)
        md.add_render_rule("citation", _render_citation)
    return md


def _only_source_fragments(url: str) -> str | None:
    return url if _SOURCE_FRAGMENT.fullmatch(url) else None


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
    citations: bool = False,
) -> str:
    """
    The allow-list every rendered text passes through (see `render_markdown`). Cleaning its own
    output changes nothing, so stored HTML can be cleaned again safely.
    """
    if absolute_links_only:
        relative = "deny"
    elif citations:
        relative = _only_source_fragments
    else:
        relative = None
    return nh3.clean(
        html,
        tags=allowed_tags(allow_headings=allow_headings),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=link_rel,
        strip_comments=True,
        url_relative=relative,
        attribute_filter=_absolute_links_only if absolute_links_only else None,
    )


def render_markdown(
    text: str,
    *,
    allow_headings: bool = True,
    link_rel: str = "noopener",
    absolute_links_only: bool = False,
    citations: bool = False,
) -> str:
    """
    Render Markdown to sanitized HTML.

    Allowed: paragraphs, lists, emphasis, blockquotes, inline code, links with http or https
    targets, and (when `allow_headings`) h2–h4. Everything else is dropped, its text kept.
    `absolute_links_only` also drops relative link targets, which in a member's post could only
    be a trick (a path on our own site dressed up as something else). `citations` (reviewed
    answers) turns "[n]" into a link to the n-th source listed under the answer, and then the
    only relative target kept is such a "#source-n".
    """
    md = _parser(absolute_links_only=absolute_links_only, citations=citations)
    tokens = md.parse(text or "")
    _clamp_headings(tokens, allow_headings=allow_headings)
    html = md.renderer.render(tokens, md.options, {})
    return sanitize_html(
        html,
        allow_headings=allow_headings,
        link_rel=link_rel,
        absolute_links_only=absolute_links_only,
        citations=citations,
    )


def cited_sources(text: str) -> list[int]:
    """The source numbers "[n]" cited in `text`, in order of first use, as the page renders them."""
    numbers: list[int] = []
    stack = list(_parser(citations=True).parse(text or ""))
    while stack:
        token = stack.pop(0)
        if token.children:
            stack[:0] = token.children
        if token.type == "citation" and token.meta["number"] not in numbers:
            numbers.append(token.meta["number"])
    return numbers


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
