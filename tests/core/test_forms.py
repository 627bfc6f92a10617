import importlib
import pkgutil
import re

import pytest
from django import forms

import diseasemaps
from diseasemaps.conditions.models import Condition
from tests.factories import TreatmentFactory
from tests.pages import member_pages, public_pages


def _project_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(diseasemaps.__path__, "diseasemaps."):
        if module.name.rsplit(".", 1)[-1] == "forms":
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.startswith("diseasemaps."):
                found.append(subclass)
    return found


def test_the_form_classes_are_found():
    names = {form.__name__ for form in _project_form_classes()}
    assert {"ExperienceForm", "MemberConditionForm", "HelpfulForm", "SignupProfileForm"} <= names


def test_no_label_says_optional_itself_the_field_template_does():
    """The field template adds "(optional)"; a label saying it too would print it twice."""
    saying_it = [
        f"{form.__module__}.{form.__name__}.{name}: {field.label}"
        for form in _project_form_classes()
        for name, field in form.base_fields.items()
        if field.label and "optional" in str(field.label).lower()
    ]
    assert saying_it == []


def _doubled(html: str) -> bool:
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return bool(re.search(r"\(optional\)\s*\(optional\)", text, re.I))


@pytest.mark.django_db
def test_no_public_page_prints_the_optional_marker_twice(client):
    pages = public_pages()
    assert [name for name, url in pages.items() if _doubled(client.get(url).content.decode())] == []


@pytest.mark.django_db
def test_no_member_page_prints_the_optional_marker_twice(member_client, member):
    pages = member_pages(member)
    # With treatments to choose from, the share form shows its optional checkbox list too.
    TreatmentFactory(condition=Condition.objects.get(abbreviation="DFSP"))
    doubled = []
    for name, page in pages.items():
        if page.data:
            html = member_client.post(page.url, page.data).content.decode()
        else:
            html = member_client.get(page.url).content.decode()
        if _doubled(html):
            doubled.append(name)
    for url in ("/members/me/conditions/", "/members/me/profile/"):
        if _doubled(member_client.get(url).content.decode()):
            doubled.append(url)
    assert doubled == []
