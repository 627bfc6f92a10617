from django import template

from diseasemaps.core.pagecache import Holes

register = template.Library()


@register.simple_tag
def hole(holes: Holes | None, name: str, key: int | None = None) -> str:
    """The mark of a member's own part of a members' edition (core.pagecache.Holes); nothing
    when the page is made for one reader."""
    return holes.mark(name, key) if holes else ""
