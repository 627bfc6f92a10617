"""
Middleware for running the site in production: the request id, /health/ and the 503 page.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from diseasemaps.core import audit, health, logs, unavailable

logger = logging.getLogger(__name__)


class RequestIdMiddleware:
    """
    Give each request an id, carried by every log line written while it runs, by the tasks it
    queues and by the X-Request-ID response header (which gunicorn's access log records).

    An X-Request-ID sent by the client is taken only when DISEASEMAPS_TRUST_REQUEST_ID says a
    proxy in front sets it (and replaces the client's); otherwise anyone could pick the id their
    requests are logged under.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = ""
        if settings.DISEASEMAPS_TRUST_REQUEST_ID:
            incoming = request.headers.get("X-Request-ID", "")
            if not logs.REQUEST_ID_PATTERN.match(incoming):
                incoming = ""
        with logs.request_id_bound(incoming) as request_id:
            request.request_id = request_id
            client = audit.bind_client(request)
            try:
                response = self.get_response(request)
            finally:
                audit.unbind_client(client)
            response["X-Request-ID"] = request_id
        return response


class HealthCheckMiddleware:
    """
    Answer /health/ before anything else runs: no host check (a load balancer asks by the
    instance's address), no HTTPS redirect, no session or user lookup, so a poll costs only the
    checks themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/health/" and request.method in ("GET", "HEAD"):
            return health.health_view(request)
        return self.get_response(request)


class ServiceUnavailableMiddleware:
    """
    A view that fails because the database or the cache cannot be reached, or because a
    statement ran past statement_timeout, answers 503 with Retry-After and a page saying to try
    again shortly, rendered without touching either. (The same errors raised outside a view,
    in another middleware, reach handler500, which answers the same way.) It also records the
    views' permission denials as audit events.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PermissionDenied):
            # Django answers 403 itself; this records the refusal (by view name, never the
            # path, which can name a condition).
            match = request.resolver_match
            audit.audit(
                "permission_denied",
                user=getattr(request, "user", None),
                request=request,
                view=match.view_name if match else "",
            )
            return None
        if not unavailable.is_unavailable_error(exception):
            return None
        return unavailable.service_unavailable(request, exception)
