"""
Every template that posts a form and is included with `only` gets the page's CSRF token passed
in: `only` hides the page's context, so `{% csrf_token %}` would render nothing and Django would
refuse the form (403) for everyone who uses it.
"""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INCLUDE = re.compile(r"{%\s*include\s+\"([^\"]+)\"(.*?)%}", re.S)


def _posts_a_form(name: str, seen: frozenset = frozenset()) -> bool:
    """Whether the template (or one it includes, passing its context on) renders a CSRF token."""
    path = TEMPLATES / name
    if not path.exists() or name in seen:
        return False  # a library's template, or a loop
    text = path.read_text()
    if "{% csrf_token %}" in text:
        return True
    return any(
        _posts_a_form(included, seen | {name})
        for included, rest in INCLUDE.findall(text)
        if not re.search(r"\bonly\s*$", rest.strip())
    )


def _only_includes() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for included, rest in INCLUDE.findall(path.read_text()):
            if re.search(r"\bonly\s*$", rest.strip()):
                found.append((str(path.relative_to(TEMPLATES)), included, rest))
    return found


def test_every_form_included_with_only_is_given_the_csrf_token():
    missing = [
        f"{page} includes {included}"
        for page, included, rest in _only_includes()
        if _posts_a_form(included) and not re.search(r"\bcsrf_token=csrf_token\b", rest)
    ]
    assert missing == []


def test_the_check_finds_the_forms_included_with_only():
    forms = {included for _, included, _ in _only_includes() if _posts_a_form(included)}
    assert {"experiences/_experience.html", "answers/_feedback_form.html"} <= forms
