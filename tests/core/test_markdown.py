import pytest

from diseasemaps.core.markdown import cited_sources, render_markdown


def test_lists_emphasis_and_links_survive():
    html = render_markdown("Some *emphasis* and [a link](https://example.org).\n\n- one\n- two")
    assert "<em>emphasis</em>" in html
    assert '<a href="https://example.org" rel="noopener">a link</a>' in html
    assert "<ul>\n<li>one</li>" in html


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "Hello <script>alert(1)</script> world",
        '<img src="x" onerror="alert(1)">',
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_raw_html_never_becomes_markup(markdown):
    html = render_markdown(markdown)
    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "onerror=" not in html or "&lt;img" in html


@pytest.mark.parametrize(
    "markdown",
    [
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox)",
    ],
)
def test_links_other_than_http_lose_their_target(markdown):
    html = render_markdown(markdown)
    assert "<a" not in html
    assert "href" not in html
    assert "click" in html


def test_a_raw_html_link_with_a_script_target_is_not_a_link():
    html = render_markdown('<a href="javascript:alert(1)">x</a> [y](<javascript:alert(1)>)')
    assert "<a" not in html


def test_an_h1_in_markdown_becomes_an_h2_so_the_page_keeps_one_h1():
    html = render_markdown("# Big title\n\ntext")
    assert "<h1" not in html
    assert "<h2>Big title</h2>" in html


def test_deep_headings_are_clamped_to_h4():
    html = render_markdown("##### Small\n\n###### Smaller")
    assert "<h5" not in html
    assert "<h6" not in html
    assert html.count("<h4>") == 2


def test_headings_become_paragraphs_where_not_allowed():
    html = render_markdown("## Heading", allow_headings=False)
    assert "<h2" not in html
    assert "<p>Heading</p>" in html


def test_link_rel_is_set_for_user_content():
    html = render_markdown("[site](http://example.org)", link_rel="nofollow ugc noopener")
    assert 'rel="nofollow ugc noopener"' in html


def test_empty_text_renders_empty():
    assert render_markdown("") == ""


# --- Numbered references in reviewed answers ------------------------------------------------


def test_a_numbered_reference_links_to_its_source_in_the_list():
    html = render_markdown("Mohs surgery has the lowest recurrence [1][2].", citations=True)
    assert '<a href="#source-1" rel="noopener">[1]</a><a href="#source-2"' in html


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("[2](https://example.org)", '<a href="https://example.org" rel="noopener">2</a>'),
        ("\\[2] stays text", "[2] stays text"),
        ("`[2]` stays code", "<code>[2]</code> stays code"),
        ("[0] is no source", "[0] is no source"),
        ("[two] is a word", "[two] is a word"),
    ],
)
def test_only_a_bare_number_in_brackets_is_a_reference(markdown, expected):
    html = render_markdown(markdown, citations=True)
    assert expected in html
    assert "#source-" not in html


def test_members_posts_never_get_reference_links():
    html = render_markdown("As in [1].", allow_headings=False, absolute_links_only=True)
    assert html == "<p>As in [1].</p>\n"


def test_with_references_on_the_only_relative_link_kept_is_to_a_source():
    html = render_markdown(
        "[a](/admin/) [b](#top) [c](../x) [d](#source-2) [e](#source-2x)", citations=True
    )
    assert html.count("href=") == 1
    assert 'href="#source-2"' in html


def test_cited_sources_are_listed_once_in_order_of_first_use():
    text = "First [2], then [1] and [2] again; `[5]` is code and [3](https://x.org) a link."
    assert cited_sources(text) == [2, 1]
