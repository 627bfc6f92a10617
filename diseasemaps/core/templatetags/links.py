from django import template

from diseasemaps.core.links import address

register = template.Library()


@register.simple_tag
def link(name: str, pk: int | None = None) -> str:
    """The address of a named URL of no argument or one primary key (core.links.address)."""
    return address(name, pk)
