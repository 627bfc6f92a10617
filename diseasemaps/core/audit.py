"""
Audit events: who did what that matters for security or for members' trust, one JSON log line
each on the "diseasemaps.audit" logger (see LOGGING in settings).

An event carries its name, the time (UTC, from the formatter), the acting user's id, the
client's address and the request id, plus ids and fixed names (an action, a state, a model).
Never an e-mail address, a condition, a post's text, a note or a password: those are health
data or secrets, and logs are kept and shipped where the database's protections do not reach.
"""

import contextvars
import logging

from django.db import transaction
from django.http import HttpRequest

from diseasemaps.core.ratelimit import client_ip

logger = logging.getLogger("diseasemaps.audit")

_client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")


def bind_client(request: HttpRequest) -> contextvars.Token:
    """Remember the request's client address for events raised without the request at hand."""
    return _client_ip.set(client_ip(request))


def unbind_client(token: contextvars.Token) -> None:
    _client_ip.reset(token)


def audit(event: str, *, user=None, request: HttpRequest | None = None, **fields) -> None:
    """Log `event` now. `fields` must be ids and fixed names only (see the module's docstring)."""
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    address = client_ip(request) if request is not None else _client_ip.get()
    logger.info(
        event,
        extra={"event": event, "user_id": user_id, "client_ip": address or None, **fields},
    )


def audit_on_commit(event: str, *, user=None, **fields) -> None:
    """Log `event` once the current transaction commits: a decision rolled back never was."""
    address = _client_ip.get()

    def log():
        token = _client_ip.set(address)
        try:
            audit(event, user=user, **fields)
        finally:
            _client_ip.reset(token)

    transaction.on_commit(log)
