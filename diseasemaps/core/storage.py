"""
Where uploads are served from, worked out once from the storage settings (settings.py calls
these before Django is set up, so nothing here imports Django).

The same STORAGE_BACKEND and STORAGE_OPTIONS give the Content-Security-Policy the origin the
pictures come from, and give the public uploads (avatars) their own storage: on S3 those are
public-read objects with stable, unsigned URLs and a year-long Cache-Control (their names are
random and never reused), while the default storage keeps its short-lived signed URLs for
anything private.
"""

from urllib.parse import urlsplit

S3_BACKEND = "storages.backends.s3.S3Storage"
S3_BACKENDS = {S3_BACKEND, "storages.backends.s3boto3.S3Boto3Storage"}
# A year, and never revalidated: a new picture always gets a new name.
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def media_origins(*, backend: str, options: dict, media_url: str) -> list[str]:
    """
    The origins, other than our own, that the storage's URLs point to: what img-src must allow.
    An S3 storage's URLs go to its custom domain (a CDN), else to its endpoint (path-style, or
    the bucket's subdomain with virtual addressing), else to the bucket on AWS. A local storage
    with an absolute MEDIA_URL (a separate, cookieless media host) is served from that host.
    """
    if backend in S3_BACKENDS:
        if options.get("custom_domain"):
            return [f"{options.get('url_protocol', 'https:')}//{options['custom_domain']}"]
        bucket = options.get("bucket_name", "")
        if options.get("endpoint_url"):
            parts = urlsplit(options["endpoint_url"])
            if options.get("addressing_style") == "virtual":
                return [f"{parts.scheme}://{bucket}.{parts.netloc}"]
            return [f"{parts.scheme}://{parts.netloc}"]
        region = options.get("region_name")
        origins = [f"https://{bucket}.s3.amazonaws.com"]
        if region:
            origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
        return origins
    origin = _origin(options.get("base_url") or media_url)
    return [origin] if origin else []


def public_storage(*, backend: str, options: dict) -> dict:
    """The STORAGES entry for uploads anyone may see (avatars): cacheable, stable URLs."""
    if backend not in S3_BACKENDS:
        return {"BACKEND": backend, "OPTIONS": options}
    object_parameters = {
        **options.get("object_parameters", {}),
        "CacheControl": PUBLIC_CACHE_CONTROL,
    }
    return {
        "BACKEND": backend,
        "OPTIONS": {
            **options,
            "default_acl": "public-read",
            "querystring_auth": False,
            "object_parameters": object_parameters,
        },
    }
