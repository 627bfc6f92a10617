"""
/health/ for load balancers and monitors: 200 when the database, the cache and the storage
answer, 503 naming the ones that did not.

The checks are django-health-check's (each bounded by its own timeout, run side by side), with
our own storage probe: the library's writes, reads and deletes a file on every poll, five
requests to S3 each time; ours asks whether one key exists, one request. The body is ours too:
small, and without the error texts (host names, ports), which go to the log instead.
"""

import asyncio
import dataclasses

from asgiref.sync import async_to_sync
from django.core.files.storage import storages
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Storage(HealthCheck):
    """The uploads' storage answers a question about one key (a HEAD request on S3)."""

    alias: str = "default"

    def run(self):
        try:
            storages[self.alias].exists("health-check-probe")
        except Exception as error:
            raise ServiceUnavailable("Storage did not answer") from error


CHECKS = {"database": Database, "cache": Cache, "storage": Storage}


class HealthView(HealthCheckView):
    checks = tuple(CHECKS.values())

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        names = {check: name for name, check in CHECKS.items()}
        checks = {
            names[type(result.check)]: "unavailable" if result.error else "ok" for result in results
        }
        healthy = all(state == "ok" for state in checks.values())
        return JsonResponse(
            {"status": "ok" if healthy else "unavailable", "checks": checks},
            status=200 if healthy else 503,
        )


_view = HealthView.as_view()


def health_view(request):
    """Called by core.middleware.HealthCheckMiddleware, outside the URL map and its checks."""
    return async_to_sync(_view)(request)
