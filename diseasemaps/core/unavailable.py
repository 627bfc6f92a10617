"""
The 503 page: what a reader sees when the database or the cache cannot answer in time.
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("diseasemaps.unavailable")

# Seconds a reader (or a crawler) is asked to wait before trying again.
RETRY_AFTER = 30

try:
    import psycopg
except ImportError:  # SQLite-only installs
    psycopg = None

try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:
    RedisConnectionError = RedisTimeoutError = ()


def _unavailable_types() -> tuple[type[BaseException], ...]:
    # Django wraps psycopg's errors in its own (OperationalError covers a refused or timed-out
    # connection and QueryCanceled from statement_timeout); the raw psycopg ones can surface
    # from code that talks to the driver directly.
    types: list[type[BaseException]] = [OperationalError, InterfaceError]
    if psycopg is not None:
        types += [psycopg.OperationalError, psycopg.errors.QueryCanceled]
    if RedisConnectionError:
        types += [RedisConnectionError, RedisTimeoutError]
    return tuple(types)


UNAVAILABLE_ERRORS = _unavailable_types()


def is_unavailable_error(exception: BaseException) -> bool:
    """A fault of a service we depend on that passes by itself: worth a 503 and a retry."""
    if isinstance(exception, UNAVAILABLE_ERRORS):
        return True
    # A DatabaseError whose cause is a cancelled statement (raised through another wrapper).
    return isinstance(exception, DatabaseError) and isinstance(
        exception.__cause__, UNAVAILABLE_ERRORS
    )


def service_unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """
    The 503 page with Retry-After. Rendered from the template alone, with no context
    processors: they would read the session and the user, that is the database.
    """
    logger.warning(
        "service unavailable",
        extra={"event": "service_unavailable", "error": type(exception).__name__},
    )
    body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """
    handler500: a fault of the database or cache raised outside a view (in a middleware, say)
    gets the 503 page too; anything else gets the 500 page.
    """
    exception = sys.exc_info()[1]
    if exception is not None and is_unavailable_error(exception):
        return service_unavailable(request, exception)
    return HttpResponseServerError(loader.get_template("500.html").render())
