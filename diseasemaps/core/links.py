"""
The address of a named URL, as `reverse()` gives it, worked out once per process per name
rather than once per use: `address("experiences:helpful", post.pk)`, or in a template
`{% link "experiences:helpful" experience.pk %}` (core/templatetags/links.py).

A list of posts links each post and reply to several views (helpful, report, edit, reply): a
hundred `reverse()` calls on a question page, about 40 µs each. For a URL with no argument, or
one integer (a primary key), the address is the same every time but for that number, so each
name is reversed once, with a stand-in number, and the number put in its place after.
"""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

_STAND_IN = 987_654_321_012  # no primary key is this large


@functools.cache
def _parts(name: str, with_pk: bool) -> tuple[str, str]:
    """The address of `name` without the script prefix, split where its number goes."""
    path = reverse(name, args=[_STAND_IN] if with_pk else [])
    path = "/" + path.removeprefix(get_script_prefix())
    if not with_pk:
        return path, ""
    before, stand_in, after = path.partition(str(_STAND_IN))
    if not stand_in or str(_STAND_IN) in after:
        raise ValueError(f"{name} does not take one number once")
    return before, after


def address(name: str, pk: int | None = None) -> str:
    """reverse(name) or reverse(name, args=[pk]), for a URL of no argument or one integer."""
    before, after = _parts(name, pk is not None)
    prefix = get_script_prefix().removesuffix("/")
    return f"{prefix}{before}{int(pk)}{after}" if pk is not None else f"{prefix}{before}"


@receiver(setting_changed)
def _forget_on_new_urls(*, setting: str, **kwargs) -> None:
    """A test that swaps the URLconf gets its own addresses, as reverse() does."""
    if setting == "ROOT_URLCONF":
        _parts.cache_clear()
