"""
Optional error tracking with sentry-sdk, on only when SENTRY_DSN is set.

Reports carry no personal data: send_default_pii is off (no user, address or cookies), and
before_send drops what the SDK would still attach from a request (headers, cookies, the query
string, the body) and the local variables of stack frames, which can hold a post's text.
"""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from diseasemaps.core.logs import current_request_id


def scrub(event: dict, hint: dict | None = None) -> dict:
    request = event.get("request")
    if request:
        event["request"] = {"method": request.get("method"), "url": _without_query(request)}
    event.pop("user", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        crumb.pop("data", None)
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def _without_query(request: dict) -> str:
    return (request.get("url") or "").split("?", 1)[0]


def init_sentry(*, dsn: str, environment: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_send_transaction=scrub,
        traces_sample_rate=0,
    )
