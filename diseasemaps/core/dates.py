"""
Dates as people read them: "8 May 2026", the way NHS.UK writes them, never "2026-05-08" or
"May 8, 2026". Pages show them inside <time datetime="2026-05-08"> (the template filters in
core/templatetags/dates.py); e-mails and form help get the same words as plain text.
"""

import datetime

from django.utils import dateformat, timezone

# Django's format characters: day without a leading zero, full month name, four-digit year.
DAY = "j F Y"
MONTH = "F Y"


def _local(value: datetime.date | datetime.datetime) -> datetime.date | datetime.datetime:
    """An aware datetime in the site's time zone, so the day shown is the reader's day."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _clock(value: datetime.datetime) -> str:
    """2:05pm, 9am, 12:30pm: NHS.UK's way of writing a time."""
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def human_date(value: datetime.date | datetime.datetime, *, precision: str = "day") -> str:
    """
    "8 May 2026" (precision "day"), "May 2026" ("month") or "8 May 2026, 2:05pm" ("minute",
    for datetimes).
    """
    value = _local(value)
    if precision == "month":
        return dateformat.format(value, MONTH)
    text = dateformat.format(value, DAY)
    if precision == "minute" and isinstance(value, datetime.datetime):
        text = f"{text}, {_clock(value)}"
    return text


def machine_date(value: datetime.date | datetime.datetime, *, precision: str = "day") -> str:
    """The same moment for a <time datetime="…"> attribute: 2026-05-08, 2026-05 or full ISO."""
    value = _local(value)
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    if precision == "minute" and isinstance(value, datetime.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat()
