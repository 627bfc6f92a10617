"""
Times the pages visitors hit most, in-process through Django's test client, on the demo content:
the DFSP question page and search (a plain query, a misspelt one, and an empty one). Writes the
figures to docs/benchmarks.md. A report to compare over time, not a test: the figures depend on
the machine. Run it through `make bench`, which sets up the database.
"""

import io
import os
import statistics
import sys
import time
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

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
PAGES = [
    ("Question page (DFSP treatment)", "/conditions/dfsp/questions/standard-treatment/"),
    ("Search: DFSP treatment", "/search/?q=DFSP+treatment"),
    ("Search: dermatofibrosarkoma (misspelt)", "/search/?q=dermatofibrosarkoma"),
    ("Search: empty", "/search/?q="),
    ("Home page", "/"),
]


def _visitor(number: int) -> dict:
    """A different client address per request, as from many visitors: the search rate limit
    is paid on every request but never reached."""
    return {"REMOTE_ADDR": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"}


def measure(client: Client, url: str) -> dict:
    for number in range(5):  # warm up caches and connections
        client.get(url, **_visitor(number))
    timings = []
    for number in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url, **_visitor(1000 + number))
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        size = len(client.get(url).content)
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "per_second": 1000 / statistics.mean(timings),
        "queries": len(queries),
        "bytes": size,
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_demo_content", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("rebuild_search_index", verbosity=0, stdout=io.StringIO())
    client = Client()
    rows = []
    with override_settings(SECURE_SSL_REDIRECT=False, ALLOWED_HOSTS=["testserver"]):
        for name, url in PAGES:
            figures = measure(client, url)
            rows.append((name, figures))
            print(f"{name:<42} median {figures['median']:6.1f} ms  p95 {figures['p95']:6.1f} ms")
    vendor = connection.vendor
    version = connection.cursor().connection.info.server_version if vendor == "postgresql" else ""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`scripts/bench.py`): each page requested "
        f"{ROUNDS} times in one process through Django's test client, with the demo content, "
        "after a warm-up. No network, no gunicorn: this is the application's own time per "
        "request on one core, to compare over time on the same machine. Not a test gate.",
        "",
        f"- Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"database {vendor}{f' {version}' if version else ''}, "
        f"{os.cpu_count()} CPU cores, Python {sys.version.split()[0]}",
        f"- DEBUG={settings.DEBUG}",
        "",
        "| page | median ms | p95 ms | requests/s (1 process) | queries | HTML bytes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, f in rows:
        lines.append(
            f"| {name} | {f['median']:.1f} | {f['p95']:.1f} | {f['per_second']:.0f} | "
            f"{f['queries']} | {f['bytes']:,} |"
        )
    output = ROOT / "docs" / "benchmarks.md"
    output.parent.mkdir(exist_ok=True)
    output.write_text("\n".join(lines) + "\n")
    print(f"Written to {output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
