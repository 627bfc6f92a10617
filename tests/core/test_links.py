"""core.links: named URLs reversed once per process, the same addresses as reverse() gives."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse, set_script_prefix

from diseasemaps.core import links
from diseasemaps.core.links import address


@pytest.mark.parametrize(
    ("name", "pk"),
    [
        ("experiences:helpful", 7),
        ("experiences:report", 12345),
        ("experiences:detail", 1),
        ("experiences:reply-report", 99),
        ("account_login", None),
        ("pages:home", None),
    ],
)
def test_the_address_is_reverses(name, pk):
    assert address(name, pk) == reverse(name, args=[] if pk is None else [pk])


def test_each_name_is_reversed_once(monkeypatch):
    links._parts.cache_clear()
    calls = []
    real = links.reverse
    monkeypatch.setattr(links, "reverse", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert [address("experiences:helpful", pk) for pk in (1, 2, 3)] == [
        "/experiences/1/helpful/",
        "/experiences/2/helpful/",
        "/experiences/3/helpful/",
    ]
    assert len(calls) == 1


def test_a_script_prefix_is_kept_as_reverse_keeps_it():
    links._parts.cache_clear()
    address("experiences:helpful", 1)  # learnt without a prefix
    set_script_prefix("/community/")
    try:
        assert address("experiences:helpful", 5) == reverse("experiences:helpful", args=[5])
        assert address("experiences:helpful", 5) == "/community/experiences/5/helpful/"
    finally:
        set_script_prefix("/")


def test_a_name_that_takes_no_number_is_refused_a_number():
    with pytest.raises(Exception):  # noqa: B017, PT011 (reverse's own NoReverseMatch)
        address("pages:home", 3)


def test_a_new_urlconf_is_read_afresh():
    address("pages:home")
    with override_settings(ROOT_URLCONF="diseasemaps.urls"):
        assert links._parts.cache_info().currsize == 0


def test_the_template_tag_gives_the_same_address():
    html = Template("{% load links %}{% link 'experiences:report' pk %}").render(Context({"pk": 4}))
    assert html == reverse("experiences:report", args=[4])
