"""Turn Lighthouse's JSON reports (one per page) into the table docs/lighthouse.md shows."""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = ["home", "condition", "question"]


def main(reports: Path, output: Path) -> None:
    rows = []
    notes = []
    version = "?"
    for page in PAGES:
        path = reports / f"{page}.json"
        if not path.exists():
            rows.append(f"| {page} | " + " | ".join("failed" for _ in CATEGORIES) + " |")
            continue
        report = json.loads(path.read_text())
        version = report.get("lighthouseVersion", version)
        scores = [report["categories"][name]["score"] for name in CATEGORIES]
        rows.append(
            f"| {page} (`{report['requestedUrl'].split('/', 3)[-1] or '/'}`) | "
            + " | ".join("–" if s is None else str(round(s * 100)) for s in scores)
            + " |"
        )
        for name in CATEGORIES:
            for ref in report["categories"][name]["auditRefs"]:
                audit = report["audits"][ref["id"]]
                if ref["weight"] and audit.get("score") is not None and audit["score"] < 1:
                    notes.append(f"- {page}, {name}: {audit['title']} ({audit['score']:.2f})")
    lines = [
        "# Lighthouse scores",
        "",
        f"Written by `make audit` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with Lighthouse "
        f"{version} and Debian's chromium (headless, mobile emulation with simulated "
        "throttling), against the demo site served by gunicorn with production settings on "
        "this machine. A report, not a gate.",
        "",
        "| page | performance | accessibility | best practices | SEO |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        "## Audits below full marks",
        "",
        *(notes or ["None."]),
        "",
    ]
    output.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
