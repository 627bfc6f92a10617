"""
Structured logs: one JSON object per line (python-json-logger), each carrying the request id.

The request id is set by core.middleware.RequestIdMiddleware for a request and by the e-mail
task for the work a request queued, in a context variable, so any log line written while it is
set (ours, Django's, a library's) names it. gunicorn's access log goes through AccessFormatter
(see gunicorn.conf.py), which writes the path without its query string: search terms can be
health data.
"""

import contextlib
import contextvars
import logging
import re
import uuid
from collections.abc import Iterator

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# What we accept as a request id from a trusted proxy: short, and only characters that cannot
# break a log line or a header.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    return _request_id.get()


@contextlib.contextmanager
def request_id_bound(request_id: str) -> Iterator[str]:
    """Everything logged inside the block carries `request_id` (a new one when empty)."""
    request_id = request_id or new_request_id()
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


# Attributes some loggers attach that must never reach a log line: Django's request logger
# attaches the request, whose text holds the query string (search terms can be health data).
UNLOGGED_ATTRS = ["request", "server_time"]


class JsonFormatter(BaseJsonFormatter):
    """UTC ISO timestamps, the level and the logger's name on every line."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", True)  # "timestamp": ISO 8601 in UTC
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *UNLOGGED_ATTRS])
        super().__init__("%(levelname)s %(name)s %(message)s %(request_id)s", *args, **kwargs)


class AccessFormatter(JsonFormatter):
    """
    gunicorn's access log as JSON. gunicorn hands the record its "atoms" (one letter per
    field); we keep a fixed few and never the request line or the query string.
    """

    ATOMS = {
        "m": "method",
        "U": "path",  # without the query string
        "s": "status",
        "B": "bytes",
        "M": "duration_ms",
        "h": "remote_addr",
        "{x-request-id}o": "request_id",
    }

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else {}
        for atom, field in self.ATOMS.items():
            value = atoms.get(atom)
            if value not in (None, "-"):
                log_record[field] = value
        log_record["message"] = "request"
