"""Error reports sent to Sentry (only when SENTRY_DSN is set) carry no personal data."""

from diseasemaps.core.sentry import scrub


def test_a_report_keeps_no_user_headers_query_body_or_local_variables():
    event = {
        "request": {
            "method": "POST",
            "url": "https://diseasemaps.example/search/?q=canary-symptom",
            "query_string": "q=canary-symptom",
            "headers": {"Cookie": "sessionid=canary"},
            "data": {"body": "canary post text"},
        },
        "user": {"email": "canary@example.org", "ip_address": "198.51.100.1"},
        "exception": {
            "values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"b": "canary"}}]}}]
        },
        "breadcrumbs": {"values": [{"category": "query", "data": {"params": ["canary"]}}]},
    }
    scrubbed = scrub(event)
    assert "canary" not in repr(scrubbed)
    assert scrubbed["request"] == {"method": "POST", "url": "https://diseasemaps.example/search/"}
