"""
The one way a page shows a date: `{% load dates %}{{ revision.reviewed_on|human_date }}` gives
<time datetime="2026-05-08">8 May 2026</time>. `|human_date:"month"` gives "May 2026" and
`|human_date:"minute"` adds the time ("8 May 2026, 2:05pm"). In plain text (e-mails),
`|human_date_text` gives the words alone. An empty value gives an empty string.
"""

from django import template
from django.utils.html import format_html

from diseasemaps.core import dates

register = template.Library()

PRECISIONS = ("day", "month", "minute")


def _precision(arg: str | None) -> str:
    precision = arg or "day"
    if precision not in PRECISIONS:
        raise template.TemplateSyntaxError(
            f"human_date takes one of {', '.join(PRECISIONS)}, not {precision!r}."
        )
    return precision


@register.filter
def human_date(value, arg: str | None = None):
    if not value:
        return ""
    precision = _precision(arg)
    return format_html(
        '<time datetime="{}">{}</time>',
        dates.machine_date(value, precision=precision),
        dates.human_date(value, precision=precision),
    )


@register.filter
def human_date_text(value, arg: str | None = None) -> str:
    if not value:
        return ""
    return dates.human_date(value, precision=_precision(arg))
