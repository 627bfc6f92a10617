"""
Uploads at run time: the storage for public uploads, and what serves local uploads when no
separate media host or S3 is configured (a single-server deployment).
"""

from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from django.views import static

from diseasemaps.core.storage import PUBLIC_CACHE_CONTROL


class PublicStorage(LazyObject):
    """STORAGES["public"], looked up when first used (and again when the settings change)."""

    def _setup(self):
        self._wrapped = storages["public"] if "public" in settings.STORAGES else default_storage


public = PublicStorage()


def public_storage():
    """The storage of a FileField whose files anyone may see (a callable keeps migrations plain)."""
    return public


@receiver(setting_changed)
def _forget_public_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        public._wrapped = empty


def serve(request, path: str):
    """
    A file under MEDIA_ROOT, found safely (django.views.static refuses any path out of it),
    sent so that it cannot act as a page of ours: a sandboxing policy and no content sniffing.
    Names are random and never reused, so browsers and proxies keep it for a year.
    """
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response


def local_media_prefix() -> str | None:
    """
    The path the local uploads are served under ("/media/"), when pages link to them on our
    own host: the default file storage and a relative MEDIA_URL. A separate media host or S3
    serves them itself.
    """
    backend = settings.STORAGES["default"]["BACKEND"]
    prefix = settings.MEDIA_URL.strip("/")
    if backend != "django.core.files.storage.FileSystemStorage" or "://" in prefix or not prefix:
        return None
    return f"/{prefix}/"


class LocalMediaMiddleware:
    """
    Serve local uploads before sessions, users or CSRF are looked at (like /health/): an
    avatar costs one file read, sets no cookie and does not vary on the visitor's cookies, so
    browsers and proxies cache it for everyone. It comes after SecurityMiddleware (host check,
    HTTPS redirect, HSTS) and before the CSP middleware, which keeps our sandbox policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefix = local_media_prefix()
        if (
            prefix
            and request.method in ("GET", "HEAD")
            and request.path_info.startswith(prefix)
            and len(request.path_info) > len(prefix)
        ):
            return serve(request, request.path_info[len(prefix) :])
        return self.get_response(request)
