"""
Uploads at run time: the storage for public uploads, and the view that serves local uploads
when no separate media host or S3 is configured (a single-server deployment).
"""

from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import re_path
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


def local_media_urls() -> list:
    """
    The URL of the local uploads, when pages link to them on our own host: the default file
    storage and a relative MEDIA_URL. A separate media host or S3 serves them itself.
    """
    backend = settings.STORAGES["default"]["BACKEND"]
    local = backend == "django.core.files.storage.FileSystemStorage"
    if not local or "://" in settings.MEDIA_URL or not settings.MEDIA_URL.strip("/"):
        return []
    prefix = settings.MEDIA_URL.strip("/")
    return [re_path(rf"^{prefix}/(?P<path>.+)$", serve, name="media")]
