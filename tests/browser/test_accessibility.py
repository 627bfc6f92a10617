"""
axe-core over every page type in tests/pages.py, at a phone's width and a desktop's, with every
rule on; and the reflow check that nothing needs sideways scrolling from 320 px up.
"""

import pytest

from tests.browser.conftest import log_in
from tests.checkers import AXE, checker
from tests.factories import MemberConditionFactory
from tests.pages import account_pages, public_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 320, "height": 800}, {"width": 1280, "height": 900}]

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ` +
    v.nodes.map(n => n.target.join(" ")).join(", "));
}"""


def test_axe_finds_no_violation_on_any_page_type(audit_page):
    axe = checker(AXE)
    pages = public_pages()
    violations = []
    for viewport in VIEWPORTS:
        audit_page.set_viewport_size(viewport)
        for name, url in pages.items():
            audit_page.goto(url)
            audit_page.add_script_tag(path=str(axe))
            violations += [
                f"{name} at {viewport['width']}px: {text}" for text in audit_page.evaluate(RUN_AXE)
            ]
    assert violations == []


def test_axe_finds_no_violation_on_a_members_account_pages(audit_page, live_server):
    member = MemberConditionFactory().user
    log_in(audit_page.context, live_server, member)
    axe = checker(AXE)
    violations = []
    for viewport in VIEWPORTS:
        audit_page.set_viewport_size(viewport)
        for name, url in account_pages().items():
            audit_page.goto(url)
            audit_page.add_script_tag(path=str(axe))
            violations += [
                f"{name} at {viewport['width']}px: {text}" for text in audit_page.evaluate(RUN_AXE)
            ]
    assert violations == []


def test_no_page_type_scrolls_sideways_at_320_pixels(page):
    page.set_viewport_size({"width": 320, "height": 800})
    too_wide = {}
    for name, url in public_pages().items():
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[name] = width
    assert too_wide == {}


def test_text_zoomed_to_200_percent_still_fits_a_phone(audit_page):
    # Injecting the zoom needs a context that ignores our CSP, like axe does.
    page = audit_page
    page.set_viewport_size({"width": 640, "height": 900})
    too_wide = {}
    for name, url in public_pages().items():
        page.goto(url)
        page.add_style_tag(content="html { font-size: 200% !important; }")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 640:
            too_wide[name] = width
    assert too_wide == {}


def test_the_axe_check_does_catch_a_violation(audit_page):
    audit_page.goto("/no-such-page/")
    audit_page.evaluate(
        "document.querySelector('main').append(Object.assign(document.createElement('img'), "
        "{src: '/static/img/favicon.svg'}))"
    )
    audit_page.add_script_tag(path=str(checker(AXE)))
    assert any(text.startswith("image-alt") for text in audit_page.evaluate(RUN_AXE))
