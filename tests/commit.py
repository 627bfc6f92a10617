"""
A test runs inside one transaction that is never committed, so what a request queues "on
commit" (its e-mails) would never run. In production a request's writes are committed by the
time its view returns (ATOMIC_REQUESTS is off; services commit their own atomic blocks), so
this middleware, innermost in the tests' stack, runs after each view the on-commit callbacks
the view registered that are still pending, as the commit would have, while the request's
context (allauth's, the request id) is still there. Callbacks of a block that rolled back were
already dropped by Django, as in production.
"""

from django.db import connection


class CommitAtEndOfViewMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = len(connection.run_on_commit)
        response = self.get_response(request)
        if connection.in_atomic_block and not connection.needs_rollback:
            while len(connection.run_on_commit) > start:
                _, callback, _robust = connection.run_on_commit.pop(start)
                callback()
        return response
