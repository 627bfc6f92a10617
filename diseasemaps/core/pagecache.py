"""
Whole public pages, as visitors see them, kept in the shared cache (Redis in production), so
that most readers (who arrive from a search engine, with no account) cost a cache read.

A view opts in with `@public_page(tags=...)`. Its tags name what the page shows, such as
"condition:dfsp" or "question:dfsp/standard-treatment"; every page also depends on "all".
Each tag has a version in the cache; a stored page remembers the versions it was made with and
is served only while they are all unchanged. Invalidation is therefore precise and shared by
every node: `invalidate("question:dfsp/standard-treatment")` gives the tag a new version, and
the next visitor on any node gets a freshly made page. The apps that know when a page's content
changes call `invalidate` (see pages.invalidation); this module knows no app.

A stored page also has a timeout: `DISEASEMAPS_PAGE_CACHE_SECONDS`, as a backstop, and never
past the next midnight, when answers whose review falls due become overdue and must say so.

Nothing personal is ever stored: only anonymous GET and HEAD requests that carry no session or
messages cookie are served or stored, and only 200 responses that set no cookie and were not
marked private. Pages that are stored are also sent with `Cache-Control: public` and an
`s-maxage` for a CDN in front, an ETag (a conditional GET gets a 304), a `Cache-Tag` header
naming their tags (for purging a CDN by tag), and gzip when the browser accepts it; no other
page is compressed, so no page with a CSRF token or personal data is open to BREACH.

A visitor's hit is the hot path of the whole site, so it costs at most one cache read: the
page, in the encoding the request is sent, with its tags' current versions. The plain and the
gzip copy are stored apart, so a request reads only the copy it is sent; and each path's tags
are worked out once per process (they come from the URLs and the views' code, never from
data). On Redis, each process also keeps the pages it serves in its near cache
(core.nearcache), which `invalidate` tells of every change on a channel: a hit there reads
nothing from Redis, and a page refreshed on one node is refreshed for the next request on all.

Members never get a stored page, but a page they all see alike can be made once for all of
them: its members' edition (`members_edition`), with holes where each member's own parts go.
See `Holes`.
"""

import datetime
import functools
import gzip
import hashlib
import re
import secrets
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.safestring import SafeString

EVERYTHING = "all"
_PACKAGE = Path(__file__).resolve().parent.parent  # diseasemaps/
# Headers a stored page is served with; cookies and anything per-request are never kept.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Robots-Tag",
)
# Smaller bodies are not worth compressing.
GZIP_MIN_LENGTH = 200
# The encodings a page is stored in, each under a key of its own.
PLAIN, GZIP = "identity", "gzip"
# Paths whose tags each process remembers (the most recently asked for).
ROUTES_KEPT = 2048
# The headers that make a request conditional (most requests have none of them).
CONDITIONS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)

TagsFunction = Callable[..., Iterable[str]]


def public_page(*, tags: TagsFunction) -> Callable:
    """
    Mark a view's page as one visitors may be served from the shared cache. `tags` is called
    with the view's URL keyword arguments and returns the tags of what the page shows; it must
    depend on them alone, as its answer is kept for the path.
    """

    def mark(view):
        view.page_cache_tags = tags
        return view

    return mark


def invalidate(*tags: str) -> None:
    """Every stored page that shows any of `tags` is made again at its next request."""
    cache = _cache()
    cache.set_many({_tag_key(tag): _new_version() for tag in tags}, timeout=None)
    announce = getattr(cache, "announce", None)  # the near caches of a cache on Redis
    if announce is not None:
        announce(tags)


def _cache():
    return caches[settings.DISEASEMAPS_PAGE_CACHE]


def _tag_key(tag: str) -> str:
    return f"pagecache:tag:{tag}"


def tag(kind: str, *slugs: str) -> str:
    """A tag for what a page shows: tag("question", "dfsp", "standard-treatment")."""
    return ":".join([kind, "/".join(slugs)]) if slugs else kind


def _page_key(request: HttpRequest, edition: str) -> str:
    """
    GET and HEAD of one address share a page, made by this release of the code; each edition
    of it has a key of its own: a visitor's in each encoding (PLAIN, GZIP), the members' one.
    """
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"pagecache:{edition}:{_release()}:{address}"


@functools.cache
def _release() -> str:
    """
    A digest of the code and templates that make the pages, and of the static files' hashed
    names they link to, read once per process: a deploy that changes them starts with no
    stored page, and while two releases run side by side (a rolling deploy) neither serves
    the other's pages, nor a page linking to a style sheet only the other one has.
    """
    digest = hashlib.sha256()
    for folder, pattern in ((settings.BASE_DIR / "templates", "*.html"), (_PACKAGE, "*.py")):
        for path in sorted(folder.rglob(pattern)):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    read_manifest = getattr(staticfiles_storage, "read_manifest", None)  # hashed names
    digest.update(((read_manifest and read_manifest()) or "").encode())
    return digest.hexdigest()[:16]


def _encoding(request: HttpRequest) -> str:
    return GZIP if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "") else PLAIN


def _new_version() -> str:
    return uuid.uuid4().hex


def _is_anonymous_reader(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _tags_for(request: HttpRequest) -> tuple[str, ...] | None:
    """The page's tags if its view opted in, else None."""
    return _route_tags(get_resolver(get_urlconf()), request.path_info)


@functools.lru_cache(maxsize=ROUTES_KEPT)
def _route_tags(resolver, path: str) -> tuple[str, ...] | None:
    # Kept per URLconf (a test may set another) and path: both are code, so the answer holds
    # for as long as the process runs.
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    tags_function = getattr(match.func, "page_cache_tags", None)
    if tags_function is None:
        return None
    return (EVERYTHING, *tags_function(**match.kwargs))


def _timeout() -> int:
    """The configured lifetime, cut short at the next local midnight."""
    now = timezone.localtime()
    midnight = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time.min, tzinfo=now.tzinfo
    )
    until_midnight = int((midnight - now).total_seconds())
    return max(1, min(settings.DISEASEMAPS_PAGE_CACHE_SECONDS, until_midnight))


def _current_versions(cache, tags: tuple[str, ...], found: dict) -> dict[str, str]:
    """Each tag's version; a tag never seen (or evicted) gets a new one, which no page has."""
    versions = {tag: found.get(_tag_key(tag)) for tag in tags}
    missing = {tag for tag, version in versions.items() if version is None}
    for tag in missing:
        cache.add(_tag_key(tag), _new_version(), timeout=None)
    if missing:
        fresh = cache.get_many([_tag_key(tag) for tag in missing])
        versions.update({tag: fresh.get(_tag_key(tag)) for tag in missing})
    return versions


def _near(cache):
    """This process's near cache of the shared cache, if it is on Redis (core.nearcache)."""
    near_cache = getattr(cache, "near_cache", None)
    if near_cache is None or settings.DISEASEMAPS_PAGE_CACHE_NEAR_BYTES <= 0:
        return None
    return near_cache(max_bytes=settings.DISEASEMAPS_PAGE_CACHE_NEAR_BYTES)


def _lookup(cache, key: str, tags: tuple[str, ...]) -> tuple[dict | None, dict, Callable]:
    """
    The page (or members' edition) stored under `key` if it is current, the current versions
    of its tags, and `keep(stored)`, which keeps a current one, found or made now, in this
    process's near cache. A page found there costs no read of the shared cache at all.
    """
    near = _near(cache)
    if near is not None:
        stored = near.get(key)
        if stored is not None:
            return stored, stored["versions"], lambda stored: None
        generation = near.generation  # before the shared read: see NearCache.put

    def keep(stored: dict) -> None:
        if near is not None:
            near.put(
                key,
                stored,
                labels=tags,
                size=sys.getsizeof(stored["body"]) + 2048,
                expires=stored["expires"],
                generation=generation,
            )

    found = cache.get_many([key, *(_tag_key(tag) for tag in tags)])
    versions = _current_versions(cache, tags, found)
    stored = found.get(key)
    if stored is None or stored["versions"] != versions:
        return None, versions, keep
    keep(stored)
    return stored, versions, keep


def _copy(page: dict, body: bytes, headers: dict) -> dict:
    """
    One encoding of a stored page: the body sent and every header that describes it, its
    length among them (as CommonMiddleware gives every other page), so the server sends it
    in one piece rather than in chunks.
    """
    return {
        **page,
        "body": body,
        "headers": {**page["headers"], **headers, "Content-Length": str(len(body))},
    }


class PageCacheMiddleware:
    """Serve and store public pages for anonymous readers (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DISEASEMAPS_PAGE_CACHE_SECONDS <= 0 or not _is_anonymous_reader(request):
            return self.get_response(request)
        tags = _tags_for(request)
        if tags is None:
            return self.get_response(request)
        cache = _cache()
        encoding = _encoding(request)
        stored, versions, keep = _lookup(cache, _page_key(request, encoding), tags)
        if stored is not None:
            return self._serve(request, stored, tags)
        response = self.get_response(request)
        if not self._may_store(response):
            return response
        stored = self._store(cache, request, response, versions)[encoding]
        keep(stored)
        return self._serve(request, stored, tags)

    @staticmethod
    def _may_store(response: HttpResponse) -> bool:
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-store" not in cache_control
        )

    @staticmethod
    def _store(cache, request: HttpRequest, response: HttpResponse, versions: dict) -> dict:
        """Store the page in each encoding; a small one goes as it is to every request."""
        body = response.content
        timeout = _timeout()
        page = {
            "versions": versions,
            "expires": time.time() + timeout,
            "etag": '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"',
            "headers": {name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        }
        copies = {PLAIN: _copy(page, body, {})}
        copies[GZIP] = (
            _copy(page, gzip.compress(body, mtime=0), {"Content-Encoding": "gzip"})
            if len(body) >= GZIP_MIN_LENGTH
            else copies[PLAIN]
        )
        cache.set_many(
            {_page_key(request, encoding): copy for encoding, copy in copies.items()},
            timeout=timeout,
        )
        return copies

    @staticmethod
    def _serve(request: HttpRequest, stored: dict, tags: tuple[str, ...]) -> HttpResponse:
        response = None
        if not request.META.keys().isdisjoint(CONDITIONS):
            response = get_conditional_response(request, etag=stored["etag"])
        if response is None:
            response = HttpResponse(stored["body"], headers=stored["headers"])
        response["ETag"] = stored["etag"]
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage={settings.DISEASEMAPS_CDN_SECONDS}"
        )
        response["Cache-Tag"] = ",".join(tags)
        # A member's request (with a session cookie) must never get a visitor's page from a
        # cache in front; and the body depends on Accept-Encoding.
        patch_vary_headers(response, ["Cookie", "Accept-Encoding"])
        return response


# --- The members' edition -------------------------------------------------------------------


class Holes:
    """
    The marks a members' edition holds where each member's own parts go: the CSRF token, the
    header's links, whether they follow the page or found a post helpful, their own posts.

    A mark is "hole-<nonce>-<name>" or "hole-<nonce>-<name>-<key>", with a nonce drawn anew for
    each stored edition: nobody can write a mark into a post, and a mark passes through
    escaping unchanged. A template writes `{{ holes.csrf }}` (a name), or
    `{% hole holes "pressed" experience.pk %}` (a name and a key, core/templatetags/holes.py).
    A part between the marks "from-<key>" and "to-<key>" can be cut out and replaced whole:
    a member's own post, which they see with their own links.

    `fill` replaces every mark for one member, so that no mark ever reaches a browser.
    """

    def __init__(self, nonce: str | None = None):
        self.nonce = nonce or secrets.token_hex(16)
        self._marks = re.compile(rf"hole-{self.nonce}-([a-z]+)(?:-([0-9]+))?")

    def __getitem__(self, name: str) -> SafeString:
        return self.mark(name)

    def mark(self, name: str, key: int | None = None) -> SafeString:
        """The mark of `name` (lower-case letters), or of `name` for one row (its pk)."""
        return SafeString(f"hole-{self.nonce}-{name}" + ("" if key is None else f"-{int(key)}"))

    def fill(
        self,
        body: str,
        value: Callable[[str, str | None], str],
        *,
        replace: Mapping[int, str] | None = None,
    ) -> str:
        """
        `body` with the part between "from-<key>" and "to-<key>" replaced by `replace[key]`
        for each key given, then every other mark replaced by `value(name, key)`; the marks
        "from" and "to" left are removed.
        """
        for key, html in (replace or {}).items():
            # The key ends where its digits do: the marks of post 1 are not those of post 12.
            start, end = (rf"{self.mark(name, key)}(?![0-9])" for name in ("from", "to"))
            segment = re.search(rf"{start}.*?{end}", body, flags=re.DOTALL)
            if segment:
                body = body[: segment.start()] + html + body[segment.end() :]

        def one(match: re.Match) -> str:
            name, key = match.groups()
            return "" if name in ("from", "to") else value(name, key)

        return self._marks.sub(one, body)


def members_edition(
    request: HttpRequest, *, tags: Iterable[str], make: Callable[[Holes], tuple[str, dict]]
) -> tuple[Holes, str, dict] | None:
    """
    The members' edition of the page at this address: what every member sees alike, made by
    `make(holes)` once per change of `tags` (as a visitor's page is) and kept in the shared
    cache, with `holes` marking each member's own parts. `make` returns the page's HTML and
    what filling it needs to know (which posts it lists, by whom); the caller fills the holes
    for the member who asked (`Holes.fill`). None when the page cache is off.

    No member's own data may go into `make`'s page or facts: it is made as for a member who
    has written, followed and found helpful nothing (see members.viewers.AnyMember).
    """
    if settings.DISEASEMAPS_PAGE_CACHE_SECONDS <= 0:
        return None
    cache = _cache()
    key = _page_key(request, "members")
    stored, versions, keep = _lookup(cache, key, (EVERYTHING, *tags))
    if stored is None:
        holes = Holes()
        body, facts = make(holes)
        timeout = _timeout()
        stored = {
            "versions": versions,
            "expires": time.time() + timeout,
            "nonce": holes.nonce,
            "body": body,
            "facts": facts,
        }
        cache.set(key, stored, timeout=timeout)
        keep(stored)
    return Holes(stored["nonce"]), stored["body"], stored["facts"]
