"""
Times the pages visitors and members hit most, at demo size and then with the scale data
(`generate_scale_data`, sized by BENCH_SCALE), in two ways:

- in-process through Django's test client, uncached (the page cache off): median, p95, queries
  and HTML bytes of each page, the application's own cost per request;
- under `wrk` against gunicorn (gunicorn.conf.py, 2 sync workers), as ratios measured in the
  same run, alternating the two sides in short rounds: the cached anonymous question page
  against a static file of the same bytes served by whitenoise from the same server, and the
  uncached question page of a logged-in member against /robots.txt.

Writes the figures and the targets of issue 11, passed or not, to docs/benchmarks.md. A report
to compare over time, not a test: the figures depend on the machine. Run it through
`make bench`, which sets up PostgreSQL, Redis and wrk.
"""

import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diseasemaps.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from diseasemaps.answers.models import Question  # noqa: E402
from diseasemaps.experiences.models import Experience  # noqa: E402
from diseasemaps.members.models import ReviewerProfile, User  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
# A page slower than this in all stops early (after at least 5 requests), and says so.
PAGE_SECONDS = float(os.environ.get("BENCH_PAGE_SECONDS", "20"))
# 1 is the full size: 10,000 conditions, 100,000 members, 1,000,000 experiences.
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "5"))
LOAD_ROUNDS = int(os.environ.get("BENCH_LOAD_ROUNDS", "3"))
QUESTION = "/conditions/dfsp/questions/standard-treatment/"
MEMBER = "member"  # a page requested by a logged-in member (a reader)
EDITION = "edition"  # the same, filled in from the members' edition (the page cache on)
AUTHOR = "author"  # the same, by the author of a post the page lists


def pages() -> list[tuple[str, str, str]]:
    """(name, address, who) of the pages visitors and members hit most."""
    reviewer = ReviewerProfile.objects.order_by("pk").first()
    return [
        ("Home page", "/", ""),
        ("A–Z index, one letter (D)", reverse("conditions:index") + "?letter=D", ""),
        ("Condition page (DFSP)", "/conditions/dfsp/", ""),
        ("Question page (DFSP treatment)", QUESTION, ""),
        ("Question page, logged-in member", QUESTION, MEMBER),
        ("Question page, member, from the members' edition", QUESTION, EDITION),
        ("Question page, member who wrote a listed post, from the edition", QUESTION, AUTHOR),
        ("Review history", QUESTION + "history/", ""),
        ("Reviewer page", reverse("answers:reviewer", kwargs={"slug": reviewer.slug}), ""),
        ("Community guidelines", reverse("experiences:guidelines"), ""),
        ("How we review", reverse("answers:review-policy"), ""),
        ("Search: DFSP treatment", "/search/?q=DFSP+treatment", ""),
        ("Search: dermatofibrosarkoma (misspelt)", "/search/?q=dermatofibrosarkoma", ""),
        ("Search: empty", "/search/?q=", ""),
    ]


def _visitor(number: int) -> dict:
    """A different client address per request, as from many visitors: the search rate limit
    is paid on every request but never reached."""
    return {"REMOTE_ADDR": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"}


def measure(client: Client, url: str) -> dict:
    for number in range(5):  # warm up caches and connections
        client.get(url, **_visitor(number))
    timings = []
    began = time.monotonic()
    for number in range(ROUNDS):
        if number >= 5 and time.monotonic() - began > PAGE_SECONDS:
            break
        start = time.perf_counter()
        response = client.get(url, **_visitor(1000 + number))
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        size = len(client.get(url).content)
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
        "per_second": 1000 / statistics.mean(timings),
        "queries": len(queries),
        "bytes": size,
        "requests": len(timings),
    }


def member_user(*, author: bool = False) -> User:
    """
    A member of the DFSP community, as most who open the question page: one with no post or
    reply on it. With `author`, the author of a post on its first page, who sees it with their
    own links (made for them on every request).
    """
    question = Question.objects.get(condition__slug="dfsp", slug=QUESTION.split("/")[-2])
    members = User.objects.filter(member_conditions__condition__slug="dfsp", is_active=True)
    if author:
        newest = Experience.objects.visible().filter(question=question).order_by("-created_at")
        return members.filter(experiences__in=newest[:10]).order_by("pk").first()
    return (
        members.exclude(experiences__question=question)
        .exclude(experience_replies__experience__question=question)
        .order_by("pk")
        .first()
    )


def measure_pages() -> dict[str, dict]:
    clients = {who: Client() for who in ("", MEMBER, EDITION, AUTHOR)}
    clients[MEMBER].force_login(member_user())
    clients[EDITION].force_login(member_user())
    clients[AUTHOR].force_login(member_user(author=True))
    rows = {}
    # Uncached: the cost of making each page, which every member (logged in) always pays,
    # except where a page is filled in from the members' edition, kept in the page cache.
    for name, url, who in pages():
        with override_settings(
            SECURE_SSL_REDIRECT=False,
            ALLOWED_HOSTS=["testserver"],
            DISEASEMAPS_PAGE_CACHE_SECONDS=600 if who in (EDITION, AUTHOR) else 0,
        ):
            figures = measure(clients[who], url)
            rows[name] = figures
            print(
                f"  {name:<42} median {figures['median']:6.1f} ms  p95 {figures['p95']:6.1f} ms"
                f"  {figures['queries']:3d} queries  {figures['bytes']:>9,} bytes"
            )
    return rows


# Load: gunicorn and wrk.


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str, *headers: str) -> tuple[float, int]:
    """Requests per second for LOAD_SECONDS, and how many answers were not 2xx or 3xx."""
    command = ["wrk", "-t2", "-c16", f"-d{LOAD_SECONDS:g}s", "--latency", url]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    # wrk stops with requests still queued at the sync workers: wait for them before going on,
    # or the next round would pay for them. One request on a new connection waits its turn.
    server = "/".join(url.split("/")[:3])
    urllib.request.urlopen(server + "/robots.txt", timeout=120).close()  # noqa: S310
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, int(bad.group(1)) if bad else 0


def _ratio(first: tuple, second: tuple) -> dict:
    """Alternate the two in short rounds (the shared cores drift between runs)."""
    firsts, seconds, bad = [], [], 0
    for _ in range(LOAD_ROUNDS):
        for sample, target in ((firsts, first), (seconds, second)):
            rate, errors = _wrk(*target)
            sample.append(rate)
            bad += errors
    a, b = statistics.median(firsts), statistics.median(seconds)
    return {"first": a, "second": b, "ratio": a / b if b else 0.0, "bad": bad}


class Gunicorn:
    """
    gunicorn.conf.py with 2 sync workers (one thread each: with more, gunicorn runs gthread
    workers) on a free loopback port, stopped by its PID.
    """

    def __init__(self):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Its logs (one access line per request) go to a file, shown if it does not start.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        environment = {
            **os.environ,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(  # noqa: S603 (our own server and arguments)
            [sys.executable, "-m", "gunicorn", "diseasemaps.wsgi", "-c", "gunicorn.conf.py",
             "--worker-class", "sync", "--workers", "2", "--threads", "1", "--max-requests", "0",
             "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=self.log,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/robots.txt", timeout=2)  # noqa: S310
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    self.log.seek(0)
                    sys.stderr.write(self.log.read().decode(errors="replace")[-4000:])
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def measure_load() -> dict:
    """The two ratios of issue 11 under wrk; None when wrk is not installed."""
    if shutil.which("wrk") is None:
        print("  wrk is not installed: no load figures")
        return {}
    with override_settings(SECURE_SSL_REDIRECT=False, ALLOWED_HOSTS=["testserver", "127.0.0.1"]):
        member = Client()
        member.force_login(member_user())
        member.get(QUESTION)  # its CSRF cookie, which a browser sends back with each request
        cookies = "; ".join(
            f"{name}={member.cookies[name].value}"
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
        )
        page = Client().get(QUESTION)  # stored in the shared cache, as the server will serve it
        assert page.status_code == 200, page.status_code
    # The same bytes as a static file, under STATIC_ROOT, which whitenoise serves.
    static = Path(settings.STATIC_ROOT) / "bench" / "question.html"
    static.parent.mkdir(parents=True, exist_ok=True)
    static.write_bytes(page.content)
    server = Gunicorn()
    try:
        cached = server.url + QUESTION
        for url in (cached, server.url + "/static/bench/question.html"):
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                body = response.read()
            assert body == page.content, f"{url} does not serve the page's bytes"
        cookie = f"Cookie: {cookies}"
        request = urllib.request.Request(cached, headers={"Cookie": cookies})  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert b"Log out" in response.read(), "the member's session is not used"
        figures = {
            "cached": _ratio((cached,), (server.url + "/static/bench/question.html",)),
            "member": _ratio((cached, cookie), (server.url + "/robots.txt",)),
        }
    finally:
        server.stop()
        static.unlink(missing_ok=True)
    for name, f in figures.items():
        print(f"  {name}: {f['first']:,.0f} vs {f['second']:,.0f} req/s = {f['ratio']:.2f}x")
    return figures


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_demo_content", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("rebuild_search_index", verbosity=0, stdout=io.StringIO())
    print("Demo size:")
    demo = {"pages": measure_pages(), "load": measure_load()}
    figures = {
        "conditions": round(10_000 * SCALE),
        "members": round(100_000 * SCALE),
        "experiences": round(1_000_000 * SCALE),
        "question_experiences": round(20_000 * SCALE),
    }
    print(f"Generating the scale data (BENCH_SCALE={SCALE:g}): {figures}")
    started = time.monotonic()
    call_command(
        "generate_scale_data",
        *[f"--{name.replace('_', '-')}={value}" for name, value in figures.items()],
        stdout=sys.stdout,
    )
    generation = time.monotonic() - started
    print(f"Scale data in {generation:.0f} s. At scale:")
    scale = {"pages": measure_pages(), "load": measure_load()}
    write_report(demo, scale, figures, generation)


def _verdict(ok: bool) -> str:
    return "**pass**" if ok else "**fail**"


def write_report(demo: dict, scale: dict, figures: dict, generation: float) -> None:
    vendor = connection.vendor
    version = connection.cursor().connection.info.server_version if vendor == "postgresql" else ""
    cache = settings.CACHES[settings.DISEASEMAPS_PAGE_CACHE]["BACKEND"].rsplit(".", 1)[-1]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`scripts/bench.sh`, `scripts/bench.py`) in one session on a "
        "throwaway PostgreSQL, first with the demo content, then with the scale data that "
        "`manage.py generate_scale_data` adds to it "
        f"({figures['conditions']:,} conditions, {figures['members']:,} members, "
        f"{figures['experiences']:,} experiences of which {figures['question_experiences']:,} "
        f"on the DFSP treatment question; made in {generation:.0f} s). A report to compare over "
        "time on the same machine, not a test gate: absolute figures move 1.5–2× between runs "
        "on shared cores, which is why the load figures are ratios measured in one run.",
        "",
        f"- Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"database {vendor}{f' {version}' if version else ''}, shared cache {cache}, "
        f"{os.cpu_count()} CPU cores, Python {sys.version.split()[0]}",
        f"- DEBUG={settings.DEBUG}; BENCH_SCALE={SCALE:g}, {ROUNDS} requests per page",
        "",
        "## Each page, uncached",
        "",
        f"Each page requested {ROUNDS} times in one process through Django's test client, after "
        "a warm-up, with the page cache turned off: what making the page costs, which a "
        "visitor pays once per page and change. No network, no gunicorn. The member is one of "
        "the DFSP community with no post or reply on the question, as most readers; the rows "
        '"from the members\' edition" have the page cache on, as in production: the page as '
        "every member sees it is made once per change and filled in for each member "
        "(`pages/editions.py`), with the posts a member wrote or replied to made for them.",
        "",
        "| page | demo median ms | demo p95 ms | scale median ms | scale p95 ms | queries "
        "(demo → scale) | HTML bytes (scale) | within 2× + 5 ms, same queries |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    all_within = True
    for name in demo["pages"]:
        d, s = demo["pages"][name], scale["pages"][name]
        within = s["median"] <= 2 * d["median"] + 5 and s["queries"] == d["queries"]
        all_within &= within
        lines.append(
            f"| {name} | {d['median']:.1f} | {d['p95']:.1f} | {s['median']:.1f} | "
            f"{s['p95']:.1f} | {d['queries']} → {s['queries']} | {s['bytes']:,} | "
            f"{_verdict(within)} |"
        )
    question = scale["pages"]["Question page (DFSP treatment)"]
    member = scale["pages"]["Question page, logged-in member"]
    largest = max(f["bytes"] for f in scale["pages"].values())
    lines += [
        "",
        "## Under load",
        "",
        "gunicorn with `gunicorn.conf.py` and 2 sync workers, and `wrk -t2 -c16` on the same "
        f"two cores, {LOAD_ROUNDS} rounds of {LOAD_SECONDS:g} s on each side, alternating; the "
        "median of each side. The cached page is the anonymous question page as the page "
        "cache serves it, from each worker's near cache once it has the page (uncompressed, "
        "as wrk does not ask for gzip); the static file holds the same bytes and is served by "
        "whitenoise from the same server. The member's page is never stored whole: it is "
        "filled in for them on every request from the members' edition (also kept in the "
        "near cache), after reading what is theirs: their session and member-read limits "
        "(two Redis round trips; the limits raised for the bench but still counted on every "
        "request), their account and what is their own on the page (two queries).",
        "",
        "| | demo | at scale | target |",
        "|---|---:|---:|---|",
    ]
    targets = []
    for key, label, target in (
        ("cached", "cached anonymous question page ÷ static file of the same bytes", 0.8),
        ("member", "logged-in member's question page ÷ /robots.txt", 0.2),
    ):
        row = f"| {label} |"
        for load in (demo["load"], scale["load"]):
            f = load.get(key)
            row += (
                f" {f['ratio']:.2f}× ({f['first']:,.0f} ÷ {f['second']:,.0f} req/s"
                f"{', ' + str(f['bad']) + ' errors' if f['bad'] else ''}) |"
                if f
                else " not measured |"
            )
        worst = min((load[key]["ratio"] for load in (demo["load"], scale["load"]) if key in load),
                    default=None)  # fmt: skip
        targets.append((f"{label} ≥ {target}×", worst is not None and worst >= target))
        lines.append(row + f" ≥ {target}× |")
    targets += [
        ("every page's median at scale ≤ 2× its demo median + 5 ms, same query count", all_within),
        (f"question page ≤ 8 queries (visitor {question['queries']}, member "
         f"{member['queries']})", max(question["queries"], member["queries"]) <= 8),
        (f"no page over 100 KB at scale (largest {largest:,} bytes)", largest <= 100_000),
    ]  # fmt: skip
    lines += ["", "## Targets (issue 11)", ""]
    lines += [f"- {_verdict(ok)}: {text}" for text, ok in targets]
    output = ROOT / "docs" / "benchmarks.md"
    output.parent.mkdir(exist_ok=True)
    output.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[-len(targets) :]))
    print(f"Written to {output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
