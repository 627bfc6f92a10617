from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def optional_url(name: str) -> str:
    """
    The URL named `name`, or "" when no such URL exists: for links to pages another part of the
    site provides (the members' "my conditions" page), so a page still renders without them.
    """
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
