"""Follow state for templates of the apps below, which must not import the community."""

from django import template

from diseasemaps.community.models import Follow

register = template.Library()


@register.simple_tag(takes_context=True)
def followed_condition_ids(context) -> set[int]:
    """The conditions the member on the page follows: one query, for any number of rows."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return set()
    return set(
        Follow.objects.filter(user=user, condition__isnull=False).values_list(
            "condition_id", flat=True
        )
    )
